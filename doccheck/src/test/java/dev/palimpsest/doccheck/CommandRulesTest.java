package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandRulesTest {
    @TempDir
    Path repository;

    private CommandRules rules;

    @BeforeEach
    void aRepositoryWithOneModule() throws IOException {
        Files.createDirectories(repository.resolve("core/src/test/java/dev/x"));
        Files.writeString(repository.resolve("core/pom.xml"), "<project/>");
        Files.writeString(repository.resolve("core/src/test/java/dev/x/SeedTest.java"), "");
        Files.createDirectories(repository.resolve("bench"));
        Files.writeString(repository.resolve("bench/run.sh"), "");
        Files.writeString(repository.resolve("mvnw"), "");
        rules = new CommandRules(repository);
    }

    private List<String> problems(String command) {
        List<List<String>> stages = new ShellCommand(1, command, List.of()).stages();
        return stages.stream().flatMap(stage -> rules.problems(stage).stream()).toList();
    }

    @Test
    void aModuleWithoutAlsoMakeFailsOnACleanClone() {
        // What docs/testing.md said before: "Could not find artifact ...:palimpsest-testkit".
        List<String> problems = problems(
                "./mvnw -B test -pl core -Dtest=SeedTest -Dpalimpsest.seed=81723641273");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("add -am"), problems.toString());
    }

    @Test
    void aTestSelectedWithAlsoMakeNeedsTheOtherModulesToBeLenient() {
        List<String> problems = problems("./mvnw -B test -pl core -am -Dtest=SeedTest");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("-Dsurefire.failIfNoSpecifiedTests=false"));
        assertTrue(problems("./mvnw verify -pl core -am -Dit.test=SeedTest "
                + "-Dsurefire.failIfNoSpecifiedTests=false").get(0)
                .contains("-Dfailsafe.failIfNoSpecifiedTests=false"));
    }

    @Test
    void aCommandThatWorksOnACleanCloneHasNoProblem() {
        assertEquals(List.of(), problems("JAZZER_FUZZ=1 ./mvnw -B test -pl core -am "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Dtest=SeedTest#oneMethod"));
        assertEquals(List.of(), problems("./mvnw -B verify && bench/run.sh full"));
        assertEquals(List.of(), problems("./mvnw test -pl <module> -am "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Dtest=<Class>"),
                "a template is not looked up");
    }

    @Test
    void modulesTestsAndScriptsThatDoNotExistAreNamed() {
        assertEquals(List.of("-pl cor: no such module", "no test class SeedTest in cor"),
                problems("./mvnw test -pl cor -am -Dsurefire.failIfNoSpecifiedTests=false "
                        + "-Dtest=SeedTest"));
        assertEquals(List.of("no test class MissingTest in core"), problems("./mvnw test -pl "
                + "core -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=MissingTest"));
        assertEquals(List.of("'bench/gone.sh' does not exist in the repository"),
                problems("bench/gone.sh full"));
        assertEquals(List.of(), problems("cli/target/image/bin/palimpsest demo"),
                "build outputs are not looked up");
    }
}
