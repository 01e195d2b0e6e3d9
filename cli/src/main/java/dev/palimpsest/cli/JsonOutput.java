package dev.palimpsest.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.ChatMessage;
import dev.palimpsest.persist.CheckReport;
import dev.palimpsest.persist.ConversationSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the launcher's JSON output with Jackson's streaming generator, using the field names of
 * the state file format ({@code docs/format.md}): {@code seq}, {@code created_at},
 * {@code conv_id}, {@code rounds_total} and so on. Output is UTF-8, pretty-printed, and ends
 * with a newline.
 */
final class JsonOutput implements AutoCloseable {
    private final JsonGenerator json;
    private final OutputStream out;

    JsonOutput(OutputStream out) {
        this.out = out;
        try {
            // Characters beyond the BMP (emoji) are written as UTF-8, as in the state files, not
            // as escaped surrogate pairs.
            JsonFactory factory = JsonFactory.builder()
                    .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                    .build();
            this.json = factory.createGenerator(out, JsonEncoding.UTF8)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .useDefaultPrettyPrinter();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the rounds as a JSON array of {@code seq, user, assistant, created_at, metadata}. */
    void rounds(Iterator<Round> rounds) {
        try {
            json.writeStartArray();
            while (rounds.hasNext()) {
                Round round = rounds.next();
                json.writeStartObject();
                json.writeNumberField("seq", round.seq());
                json.writeStringField("user", round.user());
                json.writeStringField("assistant", round.assistant());
                json.writeStringField("created_at", round.createdAt().toString());
                json.writeObjectFieldStart("metadata");
                for (Map.Entry<String, String> entry : round.metadata().entrySet()) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an appended round's acknowledgement: {@code {conv_id, seq, created_at}}. */
    void appended(String convId, Round round) {
        try {
            json.writeStartObject();
            json.writeStringField("conv_id", convId);
            json.writeNumberField("seq", round.seq());
            json.writeStringField("created_at", round.createdAt().toString());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a check's report: {@code {root, files_checked, clean, repaired, findings: [{file,
     * kind, detail, action, moved_to}]}}, kinds and actions in lower case.
     */
    void checkReport(Path root, CheckReport report) {
        try {
            json.writeStartObject();
            json.writeStringField("root", root.toString());
            json.writeNumberField("files_checked", report.filesChecked());
            json.writeBooleanField("clean", report.isClean());
            json.writeBooleanField("repaired", report.repaired());
            json.writeArrayFieldStart("findings");
            for (CheckReport.Finding finding : report.findings()) {
                json.writeStartObject();
                json.writeStringField("file", finding.file().toString());
                json.writeStringField("kind", finding.kind().name().toLowerCase(Locale.ROOT));
                json.writeStringField("detail", finding.detail());
                json.writeStringField("action", finding.action().name().toLowerCase(Locale.ROOT));
                if (finding.movedTo().isPresent()) {
                    json.writeStringField("moved_to", finding.movedTo().get().toString());
                } else {
                    json.writeNullField("moved_to");
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the messages as a bare JSON array of {@code {"role": ..., "content": ...}}. */
    void messages(Iterable<ChatMessage> messages) {
        try {
            json.writeStartArray();
            for (ChatMessage message : messages) {
                json.writeStartObject();
                json.writeStringField("role", message.role());
                json.writeStringField("content", message.content());
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the summaries as a JSON array of {@code {conv_id, revision, updated_at, counters}}. */
    void summaries(Iterable<ConversationSummary> summaries) {
        try {
            json.writeStartArray();
            for (ConversationSummary summary : summaries) {
                json.writeStartObject();
                json.writeStringField("conv_id", summary.convId());
                json.writeNumberField("revision", summary.revision());
                json.writeStringField("updated_at", summary.updatedAt().toString());
                json.writeFieldName("counters");
                counters(summary.counters());
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void counters(Counters counters) throws IOException {
        json.writeStartObject();
        json.writeNumberField("rounds_total", counters.roundsTotal());
        json.writeNumberField("compactions", counters.compactions());
        json.writeNumberField("compacted_rounds", counters.compactedRounds());
        json.writeNumberField("compaction_failures", counters.compactionFailures());
        json.writeNumberField("context_tokens", counters.contextTokens());
        json.writeNumberField("recent_tokens", counters.recentTokens());
        if (counters.lastCompactedAt().isPresent()) {
            json.writeStringField("last_compacted_at", counters.lastCompactedAt().get().toString());
        } else {
            json.writeNullField("last_compacted_at");
        }
        json.writeEndObject();
    }

    /** Ends the document with a newline and flushes it. */
    @Override
    public void close() {
        try {
            json.close();
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
