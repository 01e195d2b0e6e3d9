package dev.palimpsest.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every path under a directory with its kind and, for files, their content, size and
 * modification time, to compare before and after: equal snapshots mean nothing was created,
 * removed, renamed or written (even with the same bytes) in between.
 */
public final class TreeSnapshot {
    private TreeSnapshot() {
    }

    /**
     * Takes a snapshot, not following links.
     *
     * @param top     the directory
     * @param exclude a subtree left out (the store's root), or null
     * @return relative path to a description of the entry
     */
    public static Map<String, String> of(Path top, Path exclude) {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : walk.toList()) {
                if (exclude != null && p.startsWith(exclude)) {
                    continue;
                }
                String kind;
                if (Files.isSymbolicLink(p)) {
                    kind = "link -> " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "dir";
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "file " + Arrays.hashCode(Files.readAllBytes(p)) + " "
                            + Files.size(p) + " "
                            + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
                } else {
                    // A FIFO or a device: never opened, which could block.
                    kind = "special";
                }
                entries.put(top.relativize(p).toString(), kind);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }
}
