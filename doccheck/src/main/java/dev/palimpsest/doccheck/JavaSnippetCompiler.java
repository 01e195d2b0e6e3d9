package dev.palimpsest.doccheck;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a {@code java} block as one complete compilation unit, the way a reader would paste
 * it into a file: with {@code --release 17 -Xlint:all -Werror}, against the given module path.
 * A module declaration is compiled as {@code module-info.java}; any other unit is named after its
 * first public type (else its first type) and compiled in the unnamed module, which reads every
 * module on the path but still sees only what they export.
 */
public final class JavaSnippetCompiler {
    private static final Pattern MODULE = Pattern.compile(
            "(?m)^\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*(?:open\\s+)?module\\s+[\\w.]+\\s*\\{");
    private static final Pattern PUBLIC_TYPE = Pattern.compile("\\bpublic\\s+(?:(?:final|abstract"
            + "|sealed|non-sealed|static|strictfp)\\s+)*(?:class|interface|enum|record|@interface)"
            + "\\s+(\\w+)");
    private static final Pattern ANY_TYPE = Pattern.compile(
            "(?m)^(?:\\w+\\s+)*(?:class|interface|enum|record)\\s+(\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");

    private final List<Path> modulePath;
    private final JavaCompiler javac;

    /**
     * A compiler for blocks that use the modules in {@code modulePath}.
     *
     * @param modulePath the jars (or folders) the blocks may use
     * @throws IllegalStateException if this JVM has no system Java compiler
     */
    public JavaSnippetCompiler(List<Path> modulePath) {
        this.modulePath = List.copyOf(modulePath);
        this.javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this JVM: run the check on a "
                    + "JDK, not a JRE");
        }
    }

    /**
     * Compiles one block.
     *
     * @param source the block's text
     * @param work   an empty folder for the source and the class files
     * @return empty if it compiled without a warning, else the compiler's diagnostics
     */
    public Optional<String> compile(String source, Path work) {
        Objects.requireNonNull(source, "source");
        String code = withoutComments(source);
        boolean module = MODULE.matcher(code).find();
        Optional<String> fileName = module ? Optional.of("module-info.java")
                : typeName(code).map(name -> name + ".java");
        if (fileName.isEmpty()) {
            return Optional.of("not a compilation unit: it declares no type and no module. "
                    + "Show a whole file (package, imports, a class) so that readers can paste it");
        }
        try {
            Path sources = work.resolve("src");
            Matcher pkg = PACKAGE.matcher(code);
            Path folder = !module && pkg.find()
                    ? sources.resolve(pkg.group(1).replace('.', '/')) : sources;
            Files.createDirectories(folder);
            Path file = folder.resolve(fileName.get());
            Files.writeString(file, source, StandardCharsets.UTF_8);
            List<String> options = new ArrayList<>(List.of("--release", "17", "-Xlint:all",
                    "-Werror", "-proc:none", "-d", work.resolve("classes").toString()));
            if (!modulePath.isEmpty()) {
                options.addAll(List.of("--module-path", modulePath.stream().map(Path::toString)
                        .collect(Collectors.joining(File.pathSeparator))));
                if (!module) {
                    options.addAll(List.of("--add-modules", "ALL-MODULE-PATH"));
                }
            }
            StringWriter diagnostics = new StringWriter();
            boolean ok;
            try (StandardJavaFileManager files = javac.getStandardFileManager(null, null,
                    StandardCharsets.UTF_8)) {
                ok = javac.getTask(diagnostics, files, null, options, null,
                        files.getJavaFileObjects(file)).call();
            }
            return ok ? Optional.empty() : Optional.of(diagnostics.toString()
                    .replace(file.toString(), fileName.get()).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("compiling a java block in " + work + " failed", e);
        }
    }

    private static Optional<String> typeName(String code) {
        Matcher type = PUBLIC_TYPE.matcher(code);
        if (type.find()) {
            return Optional.of(type.group(1));
        }
        type = ANY_TYPE.matcher(code);
        return type.find() ? Optional.of(type.group(1)) : Optional.empty();
    }

    /** The source with its comments blanked out, so that a comment never names a type. */
    static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < source.length() && source.charAt(end) != c
                        && source.charAt(end) != '\n') {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, source.length());
                out.append(source, i, end);
                i = end;
            } else if (source.startsWith("//", i)) {
                while (i < source.length() && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                for (int j = i; j < end; j++) {
                    out.append(source.charAt(j) == '\n' ? '\n' : ' ');
                }
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
