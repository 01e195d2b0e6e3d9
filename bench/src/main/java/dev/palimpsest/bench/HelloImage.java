package dev.palimpsest.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;

/**
 * Builds the JVM's own start-up floor in the run that compares against it: a hello-world module
 * linked by jlink into an image of {@code java.base} and itself, stripped like the product's
 * image, with the default CDS archive that jlink generates ({@code --generate-cds-archive}).
 */
final class HelloImage {
    private HelloImage() {
    }

    /**
     * Builds the image under {@code dir} (which must be empty or absent).
     *
     * @param dir the build directory
     * @return the image's launcher ({@code bin/hello})
     */
    static Path build(Path dir) {
        try {
            Path src = dir.resolve("src");
            Files.createDirectories(src.resolve("hello"));
            Files.writeString(src.resolve("module-info.java"),
                    "/** The start-up floor. */ module hello { }\n");
            Files.writeString(src.resolve("hello/Hello.java"), "package hello;\n"
                    + "/** Prints a line and exits. */\n"
                    + "public final class Hello {\n"
                    + "    private Hello() { }\n"
                    + "    /** @param args ignored */\n"
                    + "    public static void main(String[] args) {"
                    + " System.out.println(\"hello\"); }\n"
                    + "}\n");
            Path classes = dir.resolve("classes");
            run("javac", "--release", "17", "-d", classes.toString(),
                    src.resolve("module-info.java").toString(),
                    src.resolve("hello/Hello.java").toString());
            Path jar = dir.resolve("hello.jar");
            run("jar", "--create", "--file", jar.toString(), "--main-class", "hello.Hello",
                    "-C", classes.toString(), ".");
            Path image = dir.resolve("image");
            List<String> jlink = new ArrayList<>(List.of("--module-path", jar.toString(),
                    "--add-modules", "hello", "--launcher", "hello=hello/hello.Hello",
                    "--strip-debug", "--no-header-files", "--no-man-pages",
                    "--generate-cds-archive", "--output", image.toString()));
            // jlink as a process: its CDS dump runs a child JVM whose warnings would otherwise
            // land on this JVM's standard output, in the middle of the report.
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "jlink").toString());
            command.addAll(jlink);
            Processes.Result r = Processes.run(dir, command);
            if (r.exitCode() != 0) {
                throw new BenchException("building the hello-world image: jlink exited "
                        + r.exitCode() + ": " + r.stderr() + r.stdout());
            }
            return image.resolve("bin/hello");
        } catch (IOException e) {
            throw new BenchException("building the hello-world image: " + e.getMessage(), e);
        }
    }

    private static void run(String tool, String... args) {
        ToolProvider provider = ToolProvider.findFirst(tool).orElseThrow(
                () -> new BenchException("building the hello-world image: no " + tool
                        + " in this JDK (run the benchmarks with a full JDK 17)"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        int rc = provider.run(ps, ps, args);
        if (rc != 0) {
            throw new BenchException("building the hello-world image: " + tool + " exited " + rc
                    + ": " + log.toString(StandardCharsets.UTF_8));
        }
    }
}
