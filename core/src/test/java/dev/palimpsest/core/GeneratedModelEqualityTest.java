package dev.palimpsest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.palimpsest.testkit.Seeds;
import org.junit.jupiter.api.Test;

class GeneratedModelEqualityTest {
    private static final int CASES = 2_000;

    @Test
    void equalStatesAreEqualWithEqualHashCodes() {
        Seeds.run("equality over generated conversations", random -> {
            ModelGenerator gen = new ModelGenerator(random);
            for (int i = 0; i < CASES; i++) {
                Conversation c = gen.conversation();
                Conversation copy = ModelGenerator.deepCopy(c);
                assertEquals(c, copy, "case " + i);
                assertEquals(c.hashCode(), copy.hashCode(), "hash of case " + i);
                assertEquals(copy, c, "symmetry of case " + i);
            }
        });
    }

    @Test
    void statesThatDifferInOnePartAreNotEqual() {
        Seeds.run("inequality over generated conversations", random -> {
            ModelGenerator gen = new ModelGenerator(random);
            for (int i = 0; i < CASES; i++) {
                Conversation c = gen.conversation();
                assertNotEquals(c, c.withRevision(c.revision() + 1), "revision, case " + i);
                Conversation appended = c.withRoundAppended(gen.round(c.nextSeq()), c.updatedAt());
                assertNotEquals(c, appended, "appended round, case " + i);
                Conversation otherContext = new Conversation(c.convId(), c.revision(),
                        c.updatedAt(), c.compressedContext() + "x", c.recentRounds(),
                        c.counters());
                assertNotEquals(c, otherContext, "context, case " + i);
            }
        });
    }
}
