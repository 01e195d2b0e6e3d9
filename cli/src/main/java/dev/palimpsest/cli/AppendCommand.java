package dev.palimpsest.cli;

import dev.palimpsest.engine.AppendOutcome;
import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.ConversationStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palimpsest append}: appends one round (a user and an assistant text, or OpenAI-format
 * messages) and prints its sequence number once it is durable.
 *
 * <p>The number is printed and flushed before any compaction starts; the compaction then runs on
 * a thread of its own for at most {@code --compact-timeout} seconds. Why: a script waiting for
 * the number must not wait for a summarizer (a slow or hung LLM), and a process terminated in
 * that wait must not look like a failed append ({@link ResultDelivery}).
 */
final class AppendCommand implements Subcommand {
    /** The default of {@code --compact-timeout}, in seconds. */
    static final long DEFAULT_COMPACT_TIMEOUT_SECONDS = 5;
    /**
     * How long past the summarizer's timeout the launcher waits for the compaction to commit (or
     * to count its failure) before it gives up on it.
     */
    private static final long COMMIT_GRACE_MILLIS = 2_000;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("append",
                "Append one round to a conversation and print its sequence number: --user and "
                        + "--assistant texts, or --messages in the OpenAI chat format (with tool "
                        + "calls and tool results).",
                "The number is printed (and flushed) as soon as the round is durably saved, "
                        + "before any compaction. A compaction that fails or overruns "
                        + "--compact-timeout afterwards is a one-line warning on standard error "
                        + "and does not change the exit code; a SIGTERM or SIGINT after the "
                        + "number is printed exits 0.");
        spec.addOption(Specs.option("--user", "TEXT", String.class,
                "The user's text. Default: empty (a round needs a user or an assistant text)."));
        spec.addOption(Specs.option("--user-file", "PATH", String.class,
                "Read the user's text from a UTF-8 file ('-' for standard input; at most 32 MiB). "
                        + "Default: none, --user gives the text."));
        spec.addOption(Specs.option("--assistant", "TEXT", String.class,
                "The assistant's text. Default: empty."));
        spec.addOption(Specs.option("--assistant-file", "PATH", String.class,
                "Read the assistant's text from a UTF-8 file ('-' for standard input; at most "
                        + "32 MiB). Default: none, --assistant gives the text."));
        spec.addOption(Specs.option("--messages", "FILE", String.class,
                "Read the round from a UTF-8 file ('-' for standard input) holding a JSON array "
                        + "of messages in the OpenAI chat format ({role, content, tool_calls, "
                        + "tool_call_id, name}, plus an optional id and metadata); it opens "
                        + "with a user or system message. Default: none, --user and --assistant "
                        + "give the round."));
        spec.addOption(Specs.repeatable("--meta", "KEY=VALUE",
                "Metadata stored with the round's first message (repeatable; each key once). "
                        + "Default: none."));
        spec.addOption(Specs.option("--expect-seq", "N", Long.class,
                "The sequence number the round must get: a retry of a round already stored at "
                        + "N with the same messages prints N again and writes nothing; any other "
                        + "mismatch is a conflict (exit 5). Default: none (append as the next "
                        + "round)."));
        spec.addOption(Specs.option("--compact-timeout", "S", Long.class,
                "Let the compaction after the round run at most S seconds, then count it as "
                        + "failed (the rounds stay verbatim); 0 skips compaction. Default: "
                        + "compact_timeout_s in config.json, else "
                        + DEFAULT_COMPACT_TIMEOUT_SECONDS + "."));
        spec.addOption(Specs.flag("--json",
                "Print {\"conv_id\", \"seq\", \"created_at\", \"first_message_seq\", "
                        + "\"last_message_seq\", \"already_stored\"} as a JSON object instead "
                        + "of the bare number."));
        PolicyOptions.addTo(spec);
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        Long expectSeq = invocation.value("--expect-seq");
        List<Message> messages = messages(invocation, terminal);
        Expectation expectation = Expectation.none();
        if (expectSeq != null) {
            if (expectSeq < 1) {
                throw CliException.usage("--expect-seq must be at least 1, was " + expectSeq);
            }
            expectation = Expectation.nextRoundSeq(expectSeq);
            // Ids derived from the round's number make a retry after a lost acknowledgement
            // idempotent: the store finds the round's messages and appends nothing.
            List<Message> identified = new ArrayList<>(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                Message m = messages.get(i);
                identified.add(m.id().isPresent() ? m
                        : m.withId("palimpsest-append:round-" + expectSeq + ":" + (i + 1)));
            }
            messages = identified;
        }
        Session session = invocation.session();
        LauncherConfig config = session.config();
        PolicyOptions policy = PolicyOptions.of(invocation);
        long timeoutSeconds = compactTimeout(invocation, config);
        ExecutorService compactor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "palimpsest-compaction");
            // Abandoned, not waited for, when the launcher gives up on it: a compaction commits
            // as one log record, so an exit in the middle loses nothing.
            thread.setDaemon(true);
            return thread;
        });
        try (ConversationStore store = session.openStoreToWrite()) {
            CompactionPolicy chosen = policy.policy(config);
            ConversationEngine.Builder builder = ConversationEngine.builder(store)
                    // The wait for a compaction is bounded below; close does not wait again.
                    .closeTimeout(Duration.ZERO);
            if (timeoutSeconds == 0) {
                // A window that is never over its limits: the round is appended, nothing else.
                builder.policy(CompactionPolicy.never(chosen.keepRounds()));
            } else {
                builder.policy(chosen)
                        .summarizer(policy.summarizer(config, terminal.env()))
                        .summarizerTimeout(Duration.ofSeconds(timeoutSeconds))
                        .executor(compactor);
            }
            try (ConversationEngine engine = builder.build()) {
                AppendOutcome result = engine.append(convId, messages, expectation);
                ResultDelivery.prepare();
                printResult(invocation, convId, result);
                ResultDelivery.delivered();
                CompactionOutcome outcome = result.compaction().isDone()
                        ? result.compaction().outcome().orElseThrow()
                        : awaitCompaction(terminal, convId, result, timeoutSeconds);
                if (outcome.status() == CompactionOutcome.Status.FAILED) {
                    terminal.err().println("palimpsest append: warning: conversation "
                            + Text.quote(convId) + ": compaction failed, the rounds stay "
                            + "verbatim: " + Text.oneLine(outcome.failure()
                            .map(Throwable::getMessage).orElse("unknown failure")));
                }
            }
        } finally {
            compactor.shutdownNow();
        }
        return ExitCode.OK;
    }

    /** The round to append: from --messages, or from the user and assistant texts. */
    private static List<Message> messages(Invocation invocation, Terminal terminal) {
        String user = invocation.value("--user");
        String userFile = invocation.value("--user-file");
        String assistant = invocation.value("--assistant");
        String assistantFile = invocation.value("--assistant-file");
        String messagesFile = invocation.value("--messages");
        Map<String, String> metadata = metadata(invocation.values("--meta"));
        boolean texts = user != null || userFile != null || assistant != null
                || assistantFile != null;
        if (messagesFile != null) {
            if (texts) {
                throw CliException.usage("give --messages or the --user/--assistant texts, "
                        + "not both");
            }
            String where = "-".equals(messagesFile) ? "standard input"
                    : "'" + Text.oneLine(messagesFile) + "'";
            List<Message> parsed = MessageJson.parseArray(
                    InputText.read(messagesFile, terminal), "--messages " + where);
            if (parsed.isEmpty()) {
                throw CliException.usage("--messages " + where + " holds no message");
            }
            if (metadata.isEmpty()) {
                return parsed;
            }
            List<Message> out = new ArrayList<>(parsed);
            Map<String, String> merged = new LinkedHashMap<>(out.get(0).metadata());
            for (Map.Entry<String, String> entry : metadata.entrySet()) {
                if (merged.put(entry.getKey(), entry.getValue()) != null) {
                    throw CliException.usage("--meta key '" + Text.oneLine(entry.getKey())
                            + "' is in the first message's metadata already");
                }
            }
            out.set(0, out.get(0).withMetadata(merged));
            return out;
        }
        if (user != null && userFile != null) {
            throw CliException.usage("give --user or --user-file, not both");
        }
        if (assistant != null && assistantFile != null) {
            throw CliException.usage("give --assistant or --assistant-file, not both");
        }
        if (!texts) {
            throw CliException.usage("a round needs --messages, or --user/--user-file or "
                    + "--assistant/--assistant-file");
        }
        if ("-".equals(userFile) && "-".equals(assistantFile)) {
            throw CliException.usage("standard input can feed only one of --user-file and "
                    + "--assistant-file");
        }
        String userText = user != null ? user
                : userFile != null ? InputText.read(userFile, terminal) : "";
        String assistantText = assistant != null ? assistant
                : assistantFile != null ? InputText.read(assistantFile, terminal) : "";
        try {
            return List.of(Message.user(userText).withMetadata(metadata),
                    Message.assistant(assistantText));
        } catch (PalimpsestException invalid) {
            throw CliException.usage(invalid.getMessage(), invalid);
        }
    }

    private static void printResult(Invocation invocation, String convId, AppendOutcome result) {
        Terminal terminal = invocation.terminal();
        List<StoredMessage> stored = result.appended().messages();
        StoredMessage first = stored.get(0);
        StoredMessage last = stored.get(stored.size() - 1);
        if (invocation.flag("--json")) {
            try (JsonOutput out = new JsonOutput(terminal.out())) {
                out.appended(convId, last.roundSeq(), first.createdAt().toString(), first.seq(),
                        last.seq(), result.appended().alreadyStored());
            }
        } else {
            terminal.out().print(last.roundSeq() + "\n");
        }
        terminal.out().flush();
    }

    /**
     * Waits for the compaction the append scheduled: the summarizer's own timeout, then a short
     * grace for the commit. A compaction still running after that is abandoned and reported as
     * failed; one whose summarizer overran has counted its failure in the state already.
     */
    // "try": the progress line is a resource the try block holds without naming it again.
    @SuppressWarnings("try")
    private static CompactionOutcome awaitCompaction(Terminal terminal, String convId,
                                                     AppendOutcome result, long timeoutSeconds) {
        Duration wait = Duration.ofSeconds(timeoutSeconds).plusMillis(COMMIT_GRACE_MILLIS);
        try (Progress progress = Progress.start(terminal, "palimpsest append: compacting "
                + "conversation " + Text.quote(convId) + " (at most " + timeoutSeconds
                + " s; the round is stored)")) {
            return result.compaction().await(wait);
        } catch (TimeoutException e) {
            return CompactionOutcome.failed(new PalimpsestException(
                    FailureKind.SUMMARIZER, convId, "it did not finish "
                    + "within " + timeoutSeconds + " s (--compact-timeout) and was abandoned"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompactionOutcome.failed(new PalimpsestException(
                    FailureKind.SUMMARIZER, convId,
                    "interrupted while it ran"));
        }
    }

    private static long compactTimeout(Invocation invocation, LauncherConfig config) {
        Long flag = invocation.value("--compact-timeout");
        if (flag != null) {
            if (flag < 0) {
                throw CliException.usage("--compact-timeout must be 0 or more seconds, was "
                        + flag);
            }
            return flag;
        }
        return config.compactTimeoutSeconds().orElse(DEFAULT_COMPACT_TIMEOUT_SECONDS);
    }

    private static Map<String, String> metadata(List<String> meta) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String pair : meta) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw CliException.usage("--meta must be KEY=VALUE with a non-empty key, was '"
                        + Text.oneLine(pair) + "'");
            }
            String key = pair.substring(0, eq);
            if (metadata.put(key, pair.substring(eq + 1)) != null) {
                throw CliException.usage("--meta key '" + Text.oneLine(key) + "' given twice");
            }
        }
        return metadata;
    }
}
