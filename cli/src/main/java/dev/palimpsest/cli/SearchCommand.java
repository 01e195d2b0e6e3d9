package dev.palimpsest.cli;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.RecallHit;
import dev.palimpsest.store.RecallQuery;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code palimpsest search}: the messages that match some words, in one conversation or all. */
final class SearchCommand implements Subcommand {
    /** Hits printed when {@code --limit} is not given. */
    static final int DEFAULT_LIMIT = 10;
    /** The most chars of a message a text line shows. */
    private static final int SHOWN_CHARS = 200;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("search", "Search every message ever appended (compacted "
                + "or not) for some words: in conversation ID, or in all conversations when only "
                + "the words are given. Best matches first (BM25).",
                "The words are plain text, not a query language: quote them as one argument.",
                "Prints one line per message: conversation, round, seq, time, role, score and "
                        + "the start of its text; --json prints a JSON array of {conv_id, score, "
                        + "message}, the message in the fields of docs/format.md.",
                "The index lives in <root>/recall/ and is caught up from the conversation logs "
                        + "at each search; nothing appended is missed.");
        spec.addOption(Specs.flag("--json", "Print a JSON array."));
        spec.addOption(Specs.option("--limit", "N", Integer.class,
                "Print at most N messages (default " + DEFAULT_LIMIT + ", at most "
                        + RecallQuery.MAX_LIMIT + ")."));
        spec.addPositional(PositionalParamSpec.builder().index("0").arity("1")
                .required(true).paramLabel("[ID]").type(String.class)
                .description("The conversation to search; when it is the only argument, the "
                        + "words, searched in every conversation.").build());
        spec.addPositional(PositionalParamSpec.builder().index("1").arity("0..1")
                .paramLabel("WORDS").type(String.class)
                .description("The words to search for.").build());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        String first = invocation.positional(0);
        String second = invocation.positional(1);
        Optional<String> convId = second == null ? Optional.empty() : Optional.of(first);
        String words = second == null ? first : second;
        Integer limit = invocation.value("--limit");
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > RecallQuery.MAX_LIMIT) {
            throw CliException.usage("--limit must be 1 to " + RecallQuery.MAX_LIMIT + ", was "
                    + n);
        }
        if (words == null || words.isBlank()) {
            throw CliException.usage("give the words to search for");
        }
        RecallQuery query = new RecallQuery(convId, words, n);
        Session session = invocation.session();
        List<RecallHit> hits = List.of();
        Optional<ConversationStore> opened = session.openStoreIfAny();
        if (opened.isPresent()) {
            try (ConversationStore store = opened.get();
                 Recall recall = Recalls.open(session, store)) {
                if (convId.isPresent() && store.summary(convId.get()).isEmpty()) {
                    throw CliException.noSuchConversation(convId.get());
                }
                hits = recall.search(query);
            }
        } else if (convId.isPresent()) {
            throw CliException.noSuchConversation(convId.get());
        }
        PrintStream out = invocation.terminal().out();
        if (invocation.flag("--json")) {
            try (JsonOutput json = new JsonOutput(out)) {
                json.hits(hits);
            }
        } else if (hits.isEmpty()) {
            out.println("no message matches " + Text.quote(words));
        } else {
            for (RecallHit hit : hits) {
                Message m = hit.message().message();
                String text = Text.oneLine(m.content().isEmpty() && !m.toolCalls().isEmpty()
                        ? "calls " + m.toolCalls().get(0).name() + " " + m.toolCalls().get(0)
                        .arguments() : m.content());
                if (text.length() > SHOWN_CHARS) {
                    int cut = Character.isHighSurrogate(text.charAt(SHOWN_CHARS - 1))
                            ? SHOWN_CHARS - 1 : SHOWN_CHARS;
                    text = text.substring(0, cut) + "...";
                }
                out.println(Text.quote(hit.convId()) + " round " + hit.message().roundSeq()
                        + " seq " + hit.message().seq() + " " + hit.message().createdAt() + " "
                        + m.role().wireName() + " " + String.format(Locale.ROOT, "%.3f",
                        hit.score()) + ": " + text);
            }
        }
        out.flush();
        return ExitCode.OK;
    }
}
