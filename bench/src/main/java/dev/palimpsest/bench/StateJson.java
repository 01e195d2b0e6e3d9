package dev.palimpsest.bench;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A small JSON encoding of a state with the store's field names, used for the baselines' bytes
 * only when the store itself cannot produce them (its implementation absent from the build), and
 * for one round's archive line in figure 1b. When the store is present, the baselines write the
 * very bytes of the store's state file instead.
 */
final class StateJson {
    private StateJson() {
    }

    /**
     * Encodes a whole state.
     *
     * @param c the state
     * @return UTF-8 JSON
     */
    static byte[] state(Conversation c) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("{\"schema_version\":1,\"conv_id\":");
        string(sb, c.convId());
        sb.append(",\"revision\":").append(c.revision()).append(",\"updated_at\":");
        string(sb, c.updatedAt().toString());
        sb.append(",\"compressed_context\":");
        string(sb, c.compressedContext());
        sb.append(",\"recent_rounds\":[");
        for (int i = 0; i < c.recentRounds().size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            round(sb, c.recentRounds().get(i));
        }
        sb.append("],\"counters\":{\"rounds_total\":").append(c.counters().roundsTotal())
                .append(",\"compactions\":").append(c.counters().compactions())
                .append(",\"compacted_rounds\":").append(c.counters().compactedRounds())
                .append("}}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Encodes one round as a JSON Lines record (with its newline).
     *
     * @param r the round
     * @return UTF-8 JSON and a newline
     */
    static byte[] roundLine(Round r) {
        StringBuilder sb = new StringBuilder(4096);
        round(sb, r);
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void round(StringBuilder sb, Round r) {
        sb.append("{\"seq\":").append(r.seq()).append(",\"user\":");
        string(sb, r.user());
        sb.append(",\"assistant\":");
        string(sb, r.assistant());
        sb.append(",\"created_at\":");
        string(sb, r.createdAt().toString());
        sb.append(",\"metadata\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : r.metadata().entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(sb, e.getKey());
            sb.append(':');
            string(sb, e.getValue());
        }
        sb.append("}}");
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        sb.append('"');
    }
}
