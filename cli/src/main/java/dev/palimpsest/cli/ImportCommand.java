package dev.palimpsest.cli;

import dev.palimpsest.engine.AppendOutcome;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.ConversationStore;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code palimpsest import}: loads a JSON Lines file of messages or rounds into a conversation
 * in one process, a batch per append, each batch durable before the next is read.
 *
 * <p>A line without a message id gets one derived from the file's SHA-256 and the line number
 * ({@code import:<first 16 hex digits>:<line>}, {@code .<n>} appended for the n-th message of a
 * round line), so re-running an interrupted or repeated import appends nothing twice: the store
 * answers each message already stored with the stored one.
 */
final class ImportCommand implements Subcommand {
    /** The most messages one append carries. */
    static final int BATCH_MESSAGES = 512;
    /** The most text (content and arguments, in chars) one append carries, well below a record. */
    static final long BATCH_CHARS = 4L << 20;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("import", "Load a JSON Lines file of messages or rounds "
                + "into a conversation, in order, in batches each durable before the next.",
                "Each line is a message in the OpenAI chat format ({role, content, tool_calls, "
                        + "tool_call_id, name}, optional id and metadata), a round "
                        + "{\"messages\": [...]}, or a first-generation round {\"user\", "
                        + "\"assistant\", \"metadata\"}; blank lines are skipped. A message "
                        + "without an id gets one derived from the file's SHA-256 and its line, "
                        + "so running the same import again appends nothing twice. The "
                        + "conversation is compacted as it grows, as append does.");
        PolicyOptions.addTo(spec);
        spec.addPositional(Specs.id());
        spec.addPositional(PositionalParamSpec.builder().index("1").arity("1").required(true)
                .paramLabel("FILE").type(String.class)
                .description("The JSON Lines file ('-' for standard input; each line at most "
                        + Sizes.describe(InputText.DEFAULT_LIMIT) + ").").build());
        return spec;
    }

    @Override
    // "try": the progress line is a resource the try block holds without naming it again.
    @SuppressWarnings("try")
    public int run(Invocation invocation) throws IOException {
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        String file = invocation.positional(1);
        String where = "-".equals(file) ? "standard input" : "'" + Text.oneLine(file) + "'";
        Session session = invocation.session();
        LauncherConfig config = session.config();
        PolicyOptions policy = PolicyOptions.of(invocation);
        Path spooled = null;
        try {
            Path source;
            if ("-".equals(file)) {
                // The ids derive from the whole input's digest, so standard input is read to
                // its end (into a temp file, not memory) before the first line is appended.
                spooled = Files.createTempFile("palimpsest-import-", ".jsonl");
                try (OutputStream out = Files.newOutputStream(spooled)) {
                    terminal.in().transferTo(out);
                }
                source = spooled;
            } else {
                source = path(file, where);
            }
            String digest = digest(source, where);
            long[] counts = new long[3]; // lines, messages, already stored
            long[] rounds = {Long.MAX_VALUE, 0};
            try (ConversationStore store = session.openStoreToWrite();
                 ConversationEngine engine = Session.engine(store, policy.policy(config),
                         policy.summarizer(config, terminal.env()));
                 InputStream in = new BufferedInputStream(open(source, where), 1 << 16);
                 Progress progress = Progress.start(terminal, "palimpsest import: "
                         + Text.quote(convId) + ": reading " + where)) {
                List<Message> batch = new ArrayList<>();
                long batchChars = 0;
                byte[] line;
                long number = 0;
                while ((line = readLine(in, where, number + 1)) != null) {
                    number++;
                    String text = InputText.utf8(line, where + " line " + number);
                    if (text.isBlank()) {
                        continue;
                    }
                    counts[0]++;
                    List<Message> parsed = MessageJson.parseLine(text, where + " line " + number);
                    for (int i = 0; i < parsed.size(); i++) {
                        Message m = parsed.get(i);
                        if (m.id().isEmpty()) {
                            m = m.withId("import:" + digest + ":" + number
                                    + (parsed.size() > 1 ? "." + (i + 1) : ""));
                        }
                        batch.add(m);
                        batchChars += chars(m);
                    }
                    if (batch.size() >= BATCH_MESSAGES || batchChars >= BATCH_CHARS) {
                        append(engine, convId, batch, counts, rounds);
                        batch.clear();
                        batchChars = 0;
                        progress.update("palimpsest import: " + Text.quote(convId) + ": "
                                + counts[0] + " lines, " + counts[1] + " messages stored");
                    }
                }
                if (!batch.isEmpty()) {
                    append(engine, convId, batch, counts, rounds);
                }
            }
            long appended = counts[1] - counts[2];
            terminal.out().println("imported " + counts[0] + (counts[0] == 1 ? " line" : " lines")
                    + " into " + Text.quote(convId) + ": " + appended + " messages appended, "
                    + counts[2] + " already stored"
                    + (counts[1] == 0 ? "" : " (rounds " + rounds[0] + "-" + rounds[1] + ")"));
        } finally {
            if (spooled != null) {
                Files.deleteIfExists(spooled);
            }
        }
        return ExitCode.OK;
    }

    private static void append(ConversationEngine engine, String convId, List<Message> batch,
                               long[] counts, long[] rounds) {
        AppendOutcome outcome = engine.append(convId, List.copyOf(batch), Expectation.none());
        List<StoredMessage> stored = outcome.appended().messages();
        counts[1] += stored.size();
        counts[2] += outcome.appended().alreadyStored();
        rounds[0] = Math.min(rounds[0], stored.get(0).roundSeq());
        rounds[1] = Math.max(rounds[1], stored.get(stored.size() - 1).roundSeq());
    }

    private static long chars(Message m) {
        long n = m.content().length();
        for (var call : m.toolCalls()) {
            n += call.arguments().length() + call.name().length();
        }
        return n;
    }

    private static Path path(String file, String where) {
        try {
            Path path = Path.of(file);
            if (Files.isDirectory(path)) {
                throw CliException.usage(where + " is a directory, not a JSON Lines file");
            }
            return path;
        } catch (InvalidPathException e) {
            throw CliException.usage("not a usable path " + where + ": " + e.getReason(), e);
        }
    }

    private static InputStream open(Path source, String where) {
        try {
            return Files.newInputStream(source);
        } catch (NoSuchFileException e) {
            throw CliException.usage("no such input file " + where);
        } catch (AccessDeniedException e) {
            throw CliException.usage("cannot read " + where + ": permission denied");
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot read " + where + ": "
                    + IoMessages.describe(e), e);
        }
    }

    /** The first 16 hex digits of the input's SHA-256: the stem of the derived message ids. */
    private static String digest(Path source, String where) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(open(source, where), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot read " + where + ": "
                    + IoMessages.describe(e), e);
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    /** Reads one line (without its end), or null at the end; refuses a line over the limit. */
    private static byte[] readLine(InputStream in, String where, long number) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        boolean any = false;
        while ((b = in.read()) >= 0) {
            any = true;
            if (b == '\n') {
                break;
            }
            if (line.size() >= InputText.DEFAULT_LIMIT) {
                throw CliException.usage(where + " line " + number + " is longer than "
                        + Sizes.describe(InputText.DEFAULT_LIMIT) + ", the most one append may "
                        + "hold");
            }
            line.write(b);
        }
        if (!any) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        int n = bytes.length;
        return n > 0 && bytes[n - 1] == '\r' ? java.util.Arrays.copyOf(bytes, n - 1) : bytes;
    }
}
