package dev.palimpsest.persist;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ConversationStore#check(boolean)} found and did.
 *
 * @param filesChecked how many files under {@code sm/} were examined
 * @param findings     every problem found, in file-name order
 * @param repaired     whether the check was asked to repair
 * @param rootExists   whether the data root exists; if not, nothing was checked, and a caller
 *                     that expected conversations there has the wrong root
 */
public record CheckReport(int filesChecked, List<Finding> findings, boolean repaired,
                          boolean rootExists) {
    /**
     * Copies the findings.
     *
     * @param filesChecked how many files under {@code sm/} were examined
     * @param findings     every problem found, in file-name order
     * @param repaired     whether the check was asked to repair
     * @param rootExists   whether the data root exists
     */
    public CheckReport {
        findings = List.copyOf(findings);
        if (!rootExists && (filesChecked != 0 || !findings.isEmpty())) {
            throw new IllegalArgumentException("a check of a data root that does not exist "
                    + "checks nothing, but " + filesChecked + " files and " + findings.size()
                    + " findings were given");
        }
    }

    /**
     * A report on a data root that exists.
     *
     * @param filesChecked how many files under {@code sm/} were examined
     * @param findings     every problem found, in file-name order
     * @param repaired     whether the check was asked to repair
     */
    public CheckReport(int filesChecked, List<Finding> findings, boolean repaired) {
        this(filesChecked, findings, repaired, true);
    }

    /**
     * Tells whether nothing was found.
     *
     * @return {@code true} if there are no findings
     */
    public boolean isClean() {
        return findings.isEmpty();
    }

    /** The kinds of problem a check finds. */
    public enum Kind {
        /** A state file that cannot be loaded (malformed, too large, newer schema, wrong id). */
        UNREADABLE_STATE,
        /** A temp file left behind by a writer that crashed. */
        STALE_TEMP,
        /**
         * Something other than a regular file (a symbolic link, a directory, a FIFO, a device)
         * at the name of an archive or a lock file, which the store refuses to open; a state
         * file's name holding one is an {@link #UNREADABLE_STATE}.
         */
        NOT_A_REGULAR_FILE
    }

    /** What a repairing check did about a finding. */
    public enum Action {
        /** Nothing: the check was not asked to repair. */
        NONE,
        /** The stale temp file was removed. */
        REMOVED,
        /** The unreadable file (or what was not a regular file) was renamed aside; see
         *  {@link Finding#movedTo()}. */
        QUARANTINED
    }

    /**
     * One problem.
     *
     * @param file    the file concerned
     * @param kind    what is wrong with it
     * @param detail  a one-line explanation
     * @param action  what the check did about it
     * @param movedTo where a quarantined file now is
     */
    public record Finding(Path file, Kind kind, String detail, Action action,
                          Optional<Path> movedTo) {
        /**
         * Rejects null parts.
         *
         * @param file    the file concerned
         * @param kind    what is wrong with it
         * @param detail  a one-line explanation
         * @param action  what the check did about it
         * @param movedTo where a quarantined file now is
         */
        public Finding {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(movedTo, "movedTo");
        }
    }
}
