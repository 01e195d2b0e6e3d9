package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles against the JDK alone (an empty module path); the IT uses the project's modules. */
class JavaSnippetCompilerTest {
    private final JavaSnippetCompiler compiler = new JavaSnippetCompiler(List.of());

    @TempDir
    Path work;

    @Test
    void aCompleteUnitCompilesUnderTheNameOfItsPublicType() {
        String source = """
                package com.example;

                import java.util.List;

                /** A comment naming class Decoy. */
                final class Helper {
                }

                public final class Agent {
                    List<String> names = List.of();
                }
                """;
        assertEquals(Optional.empty(), compiler.compile(source, work));
        assertTrue(Files.isRegularFile(work.resolve("src/com/example/Agent.java")));
        assertTrue(Files.isRegularFile(work.resolve("classes/com/example/Helper.class")));
    }

    @Test
    void aModuleDeclarationCompilesAsModuleInfo() {
        assertEquals(Optional.empty(), compiler.compile("""
                // module-info.java of the daemon
                module com.example.agent {
                    requires java.logging;
                }
                """, work));
        assertTrue(Files.isRegularFile(work.resolve("classes/module-info.class")));
    }

    @Test
    void aFragmentIsNotACompilationUnit() {
        String problem = compiler.compile("engine.append(id, RoundInput.of(user, answer));\n",
                work).orElseThrow();
        assertTrue(problem.startsWith("not a compilation unit"), problem);
    }

    @Test
    void aMissingImportFails() {
        String problem = compiler.compile("class A { List<String> names; }\n", work)
                .orElseThrow();
        assertTrue(problem.contains("A.java:1: error: cannot find symbol"), problem);
    }

    @Test
    void aWarningFailsLikeInTheBuild() {
        String problem = compiler.compile("""
                import java.util.ArrayList;
                import java.util.List;

                class Raw {
                    @SuppressWarnings("unused")
                    List<?> names = new ArrayList();
                }
                """, work).orElseThrow();
        assertTrue(problem.contains("warning") && problem.contains("rawtypes"), problem);
    }
}
