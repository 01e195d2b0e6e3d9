package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker's rules, with a stand-in {@code palimpsest} script (the IT runs the real image):
 * it prints its arguments, or the data root with {@code root}, and exits with the number given
 * by {@code exit N}.
 */
class SnippetCheckerTest {
    @TempDir
    Path dir;

    private SnippetChecker checker;
    private ShellSession shell;

    @BeforeEach
    void standIn() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path launcher = bin.resolve("palimpsest");
        Files.writeString(launcher, """
                #!/bin/sh
                case "$1" in
                  root) echo "$PALIMPSEST_HOME" ;;
                  exit) echo "failing" >&2; exit "$2" ;;
                  *) echo "$@" ;;
                esac
                """);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(dir.resolve("repo"));
        Files.writeString(dir.resolve("repo/mvnw"), "");
        checker = new SnippetChecker(dir.resolve("repo"), List.of(), Set.of("palimpsest-core"),
                "1.0");
        shell = new ShellSession(bin, dir.resolve("session"), Duration.ofSeconds(30));
    }

    private List<String> check(String language, String body, Marker... marker) {
        Snippet snippet = new Snippet("doc.md", 1, language, body,
                marker.length == 0 ? Optional.empty() : Optional.of(marker[0]));
        return checker.check(snippet, shell, dir.resolve("scratch"));
    }

    @Test
    void aSessionWhoseOutputMatchesPasses() {
        assertEquals(List.of(), check("sh", """
                $ palimpsest append --user "two words" boat
                append --user two words boat
                $ echo piped | palimpsest show boat    # a comment
                show boat
                $ palimpsest list | head -1
                list
                """));
    }

    @Test
    void commandsRunInTheSessionsOwnRootWithNothingElseInTheEnvironment() {
        assertEquals(List.of(), check("sh", "$ palimpsest root\n"
                + dir.resolve("session/root") + "\n"));
        assertEquals(Set.of("PATH", "HOME", "PALIMPSEST_HOME", "TMPDIR"),
                shell.environment().keySet());
    }

    @Test
    void wrongOutputOrAnExitOtherThanZeroFails() {
        List<String> wrong = check("sh", "$ palimpsest show boat\nshow ship\n");
        assertEquals(1, wrong.size());
        assertTrue(wrong.get(0).contains("the document shows"), wrong.toString());
        List<String> failed = check("sh", "$ palimpsest exit 3\n");
        assertTrue(failed.get(0).contains("exited 3, not 0") && failed.get(0).contains("failing"),
                failed.toString());
    }

    @Test
    void anExitsMarkerExpectsThatCodeAndTheErrorOutput() {
        assertEquals(List.of(), check("sh", "$ palimpsest exit 3\nfailing\n",
                new Marker.Exits(3)));
        assertTrue(check("sh", "$ palimpsest list\n", new Marker.Exits(3)).get(0)
                .contains("exited 0, not 3"));
    }

    @Test
    void aCommandThatIsNotTheLaunchersNeedsANotRunMarker() {
        for (String body : List.of("./mvnw -B verify\n", "$ git diff | palimpsest append x\n",
                "$ seq=$(palimpsest append x)\n", "$ echo hello\n", "cd /tmp && palimpsest list\n",
                "$ cli/target/image/bin/palimpsest demo\n", "$ palimpsest demo &\n")) {
            List<String> problems = check("sh", body);
            assertEquals(1, problems.size(), body);
            assertTrue(problems.get(0).contains("cannot run in the build")
                    && problems.get(0).contains("<!-- snippet: not-run: REASON -->"), problems
                    .toString());
        }
    }

    @Test
    void aNotRunBlockIsNotRunButItsCommandsAreChecked() {
        assertEquals(List.of(), check("sh", "$ palimpsest exit 9\n",
                new Marker.NotRun("needs a server")));
        assertEquals(List.of("line 1: -pl core: no such module", "line 1: -pl without -am "
                        + "fails on a clean clone (the modules it depends on are not installed): "
                        + "add -am"),
                check("sh", "./mvnw test -pl core\n", new Marker.NotRun("a build")));
    }

    @Test
    void everyBlockHasAKnownLanguageAndMarkersAreForShellBlocks() {
        assertTrue(check("", "x\n").get(0).startsWith("a code block without a language"));
        assertTrue(check("bash", "palimpsest list\n").get(0)
                .startsWith("unknown language 'bash'"));
        assertTrue(check("java", "class A {}\n", new Marker.NotRun("why")).get(0)
                .startsWith("snippet markers are for sh blocks only"));
        assertTrue(check("sh", "\n# only a comment\n").get(0).contains("without a command"));
    }

    @Test
    void aTextBlockMustNotHideACommand() {
        assertEquals(List.of(), check("text", "palimpsest append [--user TEXT] ID\n"));
        assertTrue(check("text", "output\n$ palimpsest list\n").get(0)
                .startsWith("line 2 of this text block is a command"));
    }

    @Test
    void javaJsonAndXmlBlocksAreCompiledAndParsed() {
        assertEquals(List.of(), check("java", "class A {}\n"));
        assertTrue(check("java", "class A { B b; }\n").get(0).contains("cannot find symbol"));
        assertTrue(check("json", "{\"a\": }").get(0).startsWith("not valid JSON"));
        assertTrue(check("xml", "<dependency><groupId>dev.palimpsest</groupId><artifactId>"
                + "palimpsest-core</artifactId><version>0.9</version></dependency>").get(0)
                .contains("the poms say 1.0"));
    }
}
