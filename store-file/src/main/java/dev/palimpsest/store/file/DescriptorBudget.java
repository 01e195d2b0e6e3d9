package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How many descriptors the file stores of this JVM keep open between calls, for each of the two
 * kinds they keep (log segments open for writing, lock files open between locks): an eighth of
 * the process's limit on open files, so that both kinds together stay within a quarter of it,
 * between {@value #MIN} and {@value #MAX} each.
 *
 * <p>Why it is derived: a daemon appends to many conversations in turn, and a conversation
 * whose segment and lock file stay open appends without an open and a close of each (about
 * 20 µs of a 150 µs append here), so the bound should be as high as the process allows; but a
 * fixed high bound would run a low limit out (a store caching 10,000 conversations with a
 * descriptor each ran a 20,000 limit out). The limit is read once from
 * {@code /proc/self/limits} (the soft limit, which the JVM raises to the hard one at start on
 * Linux); where that cannot be read, {@value #MIN} each. The system property
 * {@value #PROPERTY} sets it instead (an integer of at least 1; anything else is ignored with a
 * warning), for a process that needs its descriptors for something else.
 */
final class DescriptorBudget {
    static final int MIN = 64;
    static final int MAX = 8192;
    /** The system property that sets the bound of each kind. */
    static final String PROPERTY = "palimpsest.store.file.descriptorsPerKind";
    /** Each kind's bound, for this JVM. */
    static final int PER_KIND = perKind(System.getProperty(PROPERTY),
            Path.of("/proc/self/limits"));

    /** How rarely a descriptor past the bound takes the place of one kept open: one in this. */
    static final int ADMIT_ONE_IN = 8;

    private DescriptorBudget() {
    }

    /**
     * Whether a descriptor opened while the bound is reached should be kept open in place of the
     * one kept longest unused: at random, once in {@value #ADMIT_ONE_IN} times.
     *
     * <p>Why not always (least recently used) nor never (first come, first kept): a daemon that
     * cycles through more conversations than the bound would, always replacing, close each
     * descriptor just before its conversation comes round again and keep none of use; never
     * replacing, conversations busy now would open and close theirs on every change while a fill
     * or a burst that came first kept every slot. A conversation written again and again gets
     * its descriptor kept within a few changes, and stays, being used last; a pass over many
     * conversations replaces an eighth as many.
     */
    static boolean admitsOverBound() {
        return java.util.concurrent.ThreadLocalRandom.current().nextInt(ADMIT_ONE_IN) == 0;
    }

    static int perKind(String property, Path limits) {
        if (property != null) {
            try {
                int set = Integer.parseInt(property.trim());
                if (set >= 1) {
                    return set;
                }
            } catch (NumberFormatException e) {
                // Reported below, like a number below 1.
            }
            System.getLogger(DescriptorBudget.class.getName()).log(
                    System.Logger.Level.WARNING, PROPERTY + " must be an integer of at least 1,"
                            + " was '" + property + "'; the bound is derived from the limit on"
                            + " open files instead");
        }
        long open;
        try {
            open = openFilesLimit(Files.readAllLines(limits, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return MIN;
        }
        return open < 0 ? MIN : (int) Math.max(MIN, Math.min(MAX, open / 8));
    }

    /** The soft limit on open files in the lines of a {@code limits} file; -1 if not there. */
    static long openFilesLimit(List<String> lines) {
        for (String line : lines) {
            if (line.startsWith("Max open files")) {
                // The first field, cut at the next blank by hand: a regex compiled for it is a
                // millisecond of every cold start.
                String rest = line.substring("Max open files".length()).trim();
                int blank = 0;
                while (blank < rest.length() && !Character.isWhitespace(rest.charAt(blank))) {
                    blank++;
                }
                String soft = rest.substring(0, blank);
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return -1;
    }
}
