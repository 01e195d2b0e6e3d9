package dev.palimpsest.cli;

/**
 * Makes a signal that arrives after a command's result was printed end the process with exit
 * 0, not 143 (SIGTERM) or 130 (SIGINT).
 *
 * <p>Why: {@code palimpsest append} prints the new sequence number as soon as the round is
 * durable, and may then go on compacting for a while. A script (or a supervisor's timeout) that
 * terminates it in that wait must not read the exit status as "not stored" and append the round
 * again. The JVM runs shutdown hooks on SIGTERM and SIGINT; a hook that halts with status 0
 * replaces the signal's status. A normal exit marks itself first, so its own status stands.
 */
final class ResultDelivery {
    private static volatile boolean delivered;
    private static volatile boolean exiting;

    private ResultDelivery() {
    }

    private static volatile boolean hookWanted;
    private static boolean hookAdded;

    /**
     * Arms the signal handling for this process (the launcher's main does this, in-process runs
     * do not); the shutdown hook itself is added by {@link #prepare()}, so commands that deliver
     * no early result pay nothing for it at start-up.
     */
    static void installSignalHook() {
        hookWanted = true;
    }

    private static void addHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (delivered && !exiting) {
                // Work still running (a compaction) is abandoned, as a crash would leave it:
                // every store step is atomic, and the printed result is already durable.
                Runtime.getRuntime().halt(ExitCode.OK);
            }
        }, "palimpsest-signal-exit"));
    }

    /**
     * Records that the command's result is printed and flushed: from now on a signal ends the
     * process with exit 0.
     */
    static void delivered() {
        delivered = true;
    }

    /**
     * Adds the shutdown hook, if the signal handling is armed: called before the result is
     * printed, so that no signal can fall between the printing and the hook.
     */
    static synchronized void prepare() {
        if (hookWanted && !hookAdded) {
            addHook();
            hookAdded = true;
        }
    }

    /**
     * Ends the process with {@code status}.
     *
     * @param status the exit code
     */
    static void exit(int status) {
        exiting = true;
        System.exit(status);
    }
}
