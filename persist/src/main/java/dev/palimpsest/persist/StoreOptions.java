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
 * @param stateCacheBytes how many bytes of the state files it wrote last the store keeps in
 *                      memory (the least recently used conversations go first; 0 keeps
 *                      none). A write whose conversation is held skips parsing the stored file
 *                      back (it compares bytes instead) and copies the JSON of the rounds and
 *                      the summary it shares with the previous state instead of encoding them
 *                      again. The decoded states held beside the bytes cost about as much again.
 *                      A held entry is only used while the file on disk is the same file,
 *                      unchanged (inode, size, modification and change times) and starts with
 *                      the same header bytes, so other processes writing the same conversations
 *                      are seen
 */
public record StoreOptions(Path root, long maxStateBytes, long stateCacheBytes) {
    /** The default limit on a state file: 64 MiB. */
    public static final long DEFAULT_MAX_STATE_BYTES = 64L * 1024 * 1024;
    /**
     * The default budget of the cache of written states: 16 MiB, about 300 conversations of 20
     * rounds of 2 KB each, a daemon's busy set.
     */
    public static final long DEFAULT_STATE_CACHE_BYTES = 16L * 1024 * 1024;

    /**
     * Validates the options.
     *
     * @param root            the data root; conversations live under {@code <root>/sm/}
     * @param maxStateBytes   the largest state file that is written or read, in bytes; also bounds
     *                        one archive line
     * @param stateCacheBytes how many bytes of the state files it wrote last the store keeps in
     *                        memory; 0 keeps none
     */
    public StoreOptions {
        Objects.requireNonNull(root, "root");
        if (maxStateBytes < 1024 || maxStateBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "maxStateBytes must be within [1024, " + (Integer.MAX_VALUE - 8) + "], was "
                            + maxStateBytes);
        }
        if (stateCacheBytes < 0) {
            throw new IllegalArgumentException(
                    "stateCacheBytes must be >= 0, was " + stateCacheBytes);
        }
    }

    /**
     * Options with the default cache of written states.
     *
     * @param root          the data root
     * @param maxStateBytes the largest state file that is written or read, in bytes
     */
    public StoreOptions(Path root, long maxStateBytes) {
        this(root, maxStateBytes, DEFAULT_STATE_CACHE_BYTES);
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
        private long stateCacheBytes = DEFAULT_STATE_CACHE_BYTES;

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
         * Sets how many bytes of recently written state files the store keeps in memory.
         *
         * @param bytes the budget in bytes; 0 keeps none
         * @return this builder
         */
        public Builder stateCacheBytes(long bytes) {
            this.stateCacheBytes = bytes;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public StoreOptions build() {
            return new StoreOptions(root, maxStateBytes, stateCacheBytes);
        }
    }
}
