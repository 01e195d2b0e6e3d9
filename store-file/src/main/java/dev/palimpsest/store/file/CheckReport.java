package dev.palimpsest.store.file;

import java.util.List;

/**
 * What {@link FileConversationStore#check(boolean)} found.
 *
 * @param conversations how many conversations (log stems) it looked at
 * @param findings      what was wrong, one entry per problem, with whether it was repaired
 */
public record CheckReport(int conversations, List<Finding> findings) {
    /**
     * Copies the list.
     *
     * @param conversations how many conversations it looked at
     * @param findings      what was wrong
     */
    public CheckReport {
        findings = List.copyOf(findings);
    }

    /** {@return whether nothing was wrong} */
    public boolean clean() {
        return findings.isEmpty();
    }

    /** What a finding is about. */
    public enum Problem {
        /** The last append of a log never finished; readers skip it. Repair zeroes it. */
        TORN_TAIL,
        /**
         * The checkpoint cannot be read; loads replay the log. Repair writes it again. A state
         * file with no log beside it that is not of schema 1 cannot be read at all: repair moves
         * it into {@code sm/quarantine/}, and the id starts again at seq 1.
         */
        UNREADABLE_CHECKPOINT,
        /**
         * The log is damaged before its end. Repair moves every file of the conversation into
         * {@code sm/quarantine/}, and the id starts again at seq 1 with none of them.
         */
        DAMAGED_LOG,
        /** A temp file a writer left behind. Repair removes it. */
        LEFTOVER_TEMP_FILE,
        /**
         * Something other than a regular file (a symbolic link, a directory, a FIFO) stands at
         * the name of a log segment, the index or the lock file; the store never opens it, so
         * the conversation cannot be read or written. Repair moves it into
         * {@code sm/quarantine/}.
         */
        NOT_REGULAR_FILE
    }

    /**
     * One problem.
     *
     * @param file     the file name under {@code sm/} it concerns
     * @param convId   the conversation, when it could be read
     * @param problem  what is wrong
     * @param detail   what was found, in the user's terms
     * @param repaired whether the check repaired it
     */
    public record Finding(String file, String convId, Problem problem, String detail,
                          boolean repaired) {
    }
}
