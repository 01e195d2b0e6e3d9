package dev.palimpsest.persist;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link ConversationStore} is opened.
 *
 * @param root          the data root; conversations live under {@code <root>/sm/}
 * @param maxStateBytes the largest state file that is written or read, in bytes; also bounds
 *                      one archive line. Jackson's own read and write limits are derived from it,
 *                      so whatever can be saved can be loaded
 */
public record StoreOptions(Path root, long maxStateBytes) {
    /** The default limit on a state file: 64 MiB. */
    public static final long DEFAULT_MAX_STATE_BYTES = 64L * 1024 * 1024;

    /** Validates the options. */
    public StoreOptions {
        Objects.requireNonNull(root, "root");
        if (maxStateBytes < 1024 || maxStateBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "maxStateBytes must be within [1024, " + (Integer.MAX_VALUE - 8) + "], was "
                            + maxStateBytes);
        }
    }

    /**
     * Starts options for a data root, with defaults for everything else.
     *
     * @param root the data root
     * @return a builder
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Builds {@link StoreOptions}. */
    public static final class Builder {
        private final Path root;
        private long maxStateBytes = DEFAULT_MAX_STATE_BYTES;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /**
         * Sets the largest state file that is written or read.
         *
         * @param bytes the limit in bytes
         * @return this builder
         */
        public Builder maxStateBytes(long bytes) {
            this.maxStateBytes = bytes;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public StoreOptions build() {
            return new StoreOptions(root, maxStateBytes);
        }
    }
}
