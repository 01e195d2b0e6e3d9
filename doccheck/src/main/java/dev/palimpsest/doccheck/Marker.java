package dev.palimpsest.doccheck;

import java.util.Objects;

/**
 * What the HTML comment right before a fence says about its block:
 * {@code <!-- snippet: not-run: REASON -->} or {@code <!-- snippet: exits N -->}.
 */
public sealed interface Marker {

    /**
     * The block cannot run inside the build (it runs the build itself, needs a network service,
     * is a template to fill in); the reason is shown to the reader of the check's report.
     *
     * @param reason why, never blank
     */
    record NotRun(String reason) implements Marker {
        /**
         * Rejects a blank reason.
         *
         * @param reason why, never blank
         */
        public NotRun {
            Objects.requireNonNull(reason, "reason");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("a not-run marker needs a reason");
            }
        }
    }

    /**
     * Every command of the block is expected to end with this exit code instead of 0.
     *
     * @param code the exit code, 0 to 255
     */
    record Exits(int code) implements Marker {
        /**
         * Rejects codes a process cannot end with.
         *
         * @param code the exit code, 0 to 255
         */
        public Exits {
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("an exit code is 0 to 255, not " + code);
            }
        }
    }
}
