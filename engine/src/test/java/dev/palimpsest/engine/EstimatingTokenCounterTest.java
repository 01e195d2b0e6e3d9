package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.memory.InMemoryConversationStore;
import org.junit.jupiter.api.Test;

/** The default token estimate: close to current encoders on prose, linear, never failing. */
class EstimatingTokenCounterTest {
    private final TokenCounter counter = TokenCounter.estimating();

    private void assertWithin(String text, long low, long high) {
        long count = counter.count(text);
        assertTrue(count >= low && count <= high,
                "estimate " + count + " for '" + text + "' not within [" + low + ", " + high + "]");
    }

    @Test
    void emptyAndBlankTextsCostAlmostNothing() {
        assertEquals(0, counter.count(""));
        assertEquals(0, counter.count(" "));
        assertEquals(1, counter.count("\n\n"));
    }

    @Test
    void commonEnglishWordsAreAboutOneTokenEach() {
        // 17 words and a full stop: tokenizers of current models give 18 to 19 tokens.
        assertWithin("The quick brown fox jumps over the lazy dog while the farmer watches "
                + "from his old wooden porch.", 16, 24);
        assertWithin("hello", 1, 1);
        // Both cl100k_base and o200k_base: 2 tokens (TokenEstimateAccuracyTest has jtokkit).
        assertWithin("internationalization", 2, 3);
    }

    @Test
    void numbersSplitIntoGroupsOfThreeDigits() {
        assertEquals(1, counter.count("123"));
        assertEquals(2, counter.count("1234"));
        assertEquals(4, counter.count("1234567890"));
    }

    @Test
    void cjkTextCostsAboutOneTokenPerCharacter() {
        assertEquals(5, counter.count("日本語です"));
        assertEquals(4, counter.count("안녕하세"));
    }

    @Test
    void otherScriptsCostMoreThanAsciiWordsOfTheSameLength() {
        long ascii = counter.count("privet mir kak dela");
        long cyrillic = counter.count("привет мир как дела");
        assertTrue(cyrillic > ascii, cyrillic + " <= " + ascii);
        assertWithin("café", 1, 2);
        assertWithin("😀😀", 2, 4);
    }

    @Test
    void theEstimateGrowsLinearlyWithRepetition() {
        long once = counter.count("The parcel left the depot on Monday. ");
        long hundred = counter.count("The parcel left the depot on Monday. ".repeat(100));
        assertTrue(hundred >= 99 * once && hundred <= 101 * once, once + " vs " + hundred);
    }

    @Test
    void unpairedSurrogatesAndControlCharactersAreCountedWithoutFailing() {
        assertTrue(counter.count("a\uD800b\u0000c\uDC00") > 0);
    }

    @Test
    void theEngineCountsWithTheSharedEstimateByDefault() {
        assertSame(TokenCounter.estimating(), TokenCounter.estimating());
        try (InMemoryConversationStore store = new InMemoryConversationStore();
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            assertEquals(counter.count("hello there") + ConversationEngine.MESSAGE_OVERHEAD_TOKENS,
                    engine.tokens(Message.user("hello there")));
        }
    }
}
