package dev.palimpsest.persist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every path under a directory with its content (files) or kind, to compare before and after. */
final class TreeSnapshot {
    private TreeSnapshot() {
    }

    /**
     * Takes a snapshot, not following links.
     *
     * @param top     the directory
     * @param exclude a subtree left out (the store's root), or null
     * @return relative path to a description of the entry
     */
    static Map<String, String> of(Path top, Path exclude) {
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
                } else {
                    kind = "file " + Arrays.hashCode(Files.readAllBytes(p)) + " "
                            + Files.size(p);
                }
                entries.put(top.relativize(p).toString(), kind);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }
}
