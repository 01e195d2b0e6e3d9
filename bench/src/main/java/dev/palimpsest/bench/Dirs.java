package dev.palimpsest.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Creates and wipes the benchmarks' scratch directories. */
final class Dirs {
    private Dirs() {
    }

    /**
     * Returns an empty directory at {@code dir}, deleting whatever was there.
     *
     * @param dir the directory
     * @return {@code dir}
     */
    static Path fresh(Path dir) {
        try {
            delete(dir);
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BenchException("preparing " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes a tree if it exists (never following symlinks).
     *
     * @param dir the tree's root
     * @throws IOException if a file could not be deleted
     */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                    throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
