package dev.palimpsest.engine.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.engine.prompt.AnthropicPrompt.AnthropicMessage;
import dev.palimpsest.engine.prompt.AnthropicPrompt.Text;
import dev.palimpsest.engine.prompt.AnthropicPrompt.ToolResult;
import dev.palimpsest.engine.prompt.AnthropicPrompt.ToolUse;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The OpenAI and Anthropic renderings of one context with a pinned prompt and tool calls. */
class PromptFormatTest {
    private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

    /** Round 7: a parallel call of two tools, one answered, then the user moves on (round 8). */
    private static PromptContext context() {
        List<StoredMessage> seven = stored(7, 20,
                Message.user("Weather and time in Paris?"),
                Message.assistant("Let me check.", List.of(
                        new ToolCall("w1", "weather", "{\"city\":\"Paris\"}"),
                        new ToolCall("t1", "clock", "not json"))),
                Message.tool("w1", "weather", "18 C"),
                Message.assistant("18 C; the clock tool did not answer."));
        List<StoredMessage> eight = stored(8, 24, Message.system("Answer in French."),
                Message.user("Merci"), Message.assistant("", List.of(
                        new ToolCall("x1", "translate", "{}"))));
        StoredMessage pinned = eight.get(0);
        return new PromptContext("c", Optional.of(pinned), "The user lives in Paris.",
                List.of(new Round(7, seven), new Round(8, eight)));
    }

    private static List<StoredMessage> stored(long round, long firstSeq, Message... messages) {
        List<StoredMessage> out = new ArrayList<>();
        for (Message m : messages) {
            out.add(new StoredMessage(firstSeq + out.size(), round, T, 1, m));
        }
        return out;
    }

    @Test
    void openAiPutsThePinnedPromptAndTheContextFirstAndAnswersAnAbandonedCall() {
        List<OpenAiMessage> messages = context().messages();

        assertEquals(List.of("system", "system", "user", "assistant", "tool", "tool",
                "assistant", "user", "assistant"),
                messages.stream().map(OpenAiMessage::role).toList());
        assertEquals("Answer in French.", messages.get(0).content().orElseThrow());
        assertEquals("The user lives in Paris.", messages.get(1).content().orElseThrow());
        assertEquals(2, messages.get(3).toolCalls().size());
        assertEquals(Optional.of("w1"), messages.get(4).toolCallId());
        assertEquals(Optional.of("t1"), messages.get(5).toolCallId(),
                "the unanswered call of a closed round gets a result");
        assertEquals(PromptContext.UNANSWERED_CONTENT, messages.get(5).content().orElseThrow());
        OpenAiMessage pending = messages.get(8);
        assertEquals(Optional.empty(), pending.content(), "a call-only message has no content");
        assertEquals("x1", pending.toolCalls().get(0).id(),
                "the newest round's call waits for its result");
    }

    @Test
    void anthropicAlternatesRolesMergesResultsAndCarriesTheSystemText() {
        AnthropicPrompt prompt = context().render(PromptFormat.anthropic());

        assertEquals("Answer in French.\n\nThe user lives in Paris.", prompt.system());
        List<AnthropicMessage> messages = prompt.messages();
        assertEquals(List.of("user", "assistant", "user", "assistant", "user", "assistant"),
                messages.stream().map(AnthropicMessage::role).toList());
        assertEquals(List.of(new Text("Let me check."),
                new ToolUse("w1", "weather", "{\"city\":\"Paris\"}"),
                new ToolUse("t1", "clock", "not json")), messages.get(1).content());
        assertEquals(List.of(new ToolResult("w1", "18 C", false),
                new ToolResult("t1", PromptContext.UNANSWERED_CONTENT, true)),
                messages.get(2).content(), "parallel results share one user message");
        assertEquals(List.of(new Text("Merci")), messages.get(4).content());
        assertEquals(List.of(new ToolUse("x1", "translate", "{}")), messages.get(5).content(),
                "an empty assistant text is left out");
    }

    @Test
    void aToolResultAndTheUsersNextTextShareAMessageResultsFirst() {
        List<StoredMessage> one = stored(1, 1, Message.user("go"),
                Message.assistant("", List.of(new ToolCall("a", "t", "{}"))));
        List<StoredMessage> two = stored(1, 3, Message.tool("a", "t", "done"));
        List<StoredMessage> next = stored(2, 4, Message.system("be brief"), Message.user(""));
        List<StoredMessage> first = new ArrayList<>(one);
        first.addAll(two);
        PromptContext context = new PromptContext("c", Optional.empty(), "",
                List.of(new Round(1, first), new Round(2, next)));

        AnthropicPrompt prompt = context.render(PromptFormat.anthropic());

        assertEquals("", prompt.system());
        assertEquals(3, prompt.messages().size());
        assertEquals(List.of(new ToolResult("a", "done", false), new Text("[system] be brief"),
                new Text("(empty)")), prompt.messages().get(2).content());
    }

    @Test
    void plainTextNamesEveryMessage() {
        String text = context().asText();
        assertTrue(text.startsWith("[system]\nAnswer in French.\n\n[context]\n"), text);
        assertTrue(text.contains("[round 7]\nuser: Weather and time in Paris?\n"
                + "assistant: Let me check.\nassistant calls weather (w1): {\"city\":\"Paris\"}\n"
                + "assistant calls clock (t1): not json\ntool weather (w1): 18 C\n"), text);
        assertTrue(text.endsWith("[round 8]\nuser: Merci\nassistant calls translate (x1): {}\n"),
                text);
    }
}
