package dev.palimpsest.persist;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A conversation whose every state is a pure function of how many times it was advanced, so a
 * test can tell exactly what a stored state must hold: round {@code n} always has the same texts,
 * and every {@link #WINDOW} rounds the oldest {@link #FOLD} are archived and folded into the
 * compressed context, as the engine's compaction does. A writer killed at any moment therefore
 * leaves either state {@code n} or state {@code n + 1} on disk, nothing in between.
 */
final class DeterministicHistory {
    /** Rounds kept verbatim before the oldest are folded. */
    static final int WINDOW = 16;
    /** Rounds folded at once. */
    static final int FOLD = 8;

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String[] PIECES = {
        "a", "Z", "0", " ", "\n", "\t", "\"", "\\", "/", "\u0000", "\u001f", "\u007f", "é",
        "ß", "日本語", "\u200b", "\ufeff", "😀", "👩‍💻", "𝄞", "}", "{", "[", "]", ",", ":"
    };

    private DeterministicHistory() {
    }

    /**
     * Returns round {@code seq}, always the same for the same number.
     *
     * @param seq the sequence number
     * @return the round
     */
    static Round round(long seq) {
        Random random = new Random(seq * 0x9E3779B97F4A7C15L);
        return new Round(seq, text(random), text(random), at(seq),
                Map.of("seq", Long.toString(seq), "model", "deterministic"));
    }

    /**
     * Returns the state after one more round: the oldest {@link #FOLD} rounds are first handed
     * to {@code archive} and folded when the window is full. The revision is kept; the store
     * sets it.
     *
     * @param current the current state
     * @param archive receives the rounds to archive before they leave the state
     * @return the next state
     */
    static Conversation advance(Conversation current, Consumer<List<Round>> archive) {
        Conversation state = current;
        if (state.recentRounds().size() >= WINDOW) {
            List<Round> folded = state.recentRounds().subList(0, FOLD);
            archive.accept(folded);
            Counters counters = state.counters().withCompaction(FOLD, at(state.nextSeq()));
            state = new Conversation(state.convId(), state.revision(), state.updatedAt(),
                    "summary of rounds 1.." + counters.compactedRounds(),
                    state.recentRounds().subList(FOLD, state.recentRounds().size()), counters);
        }
        Conversation next = state.withRoundAppended(round(state.nextSeq()), at(state.nextSeq()));
        long recentChars = next.recentRounds().stream()
                .mapToLong(r -> r.user().length() + r.assistant().length()).sum();
        return new Conversation(next.convId(), next.revision(), next.updatedAt(),
                next.compressedContext(), next.recentRounds(),
                next.counters().withTokens(next.compressedContext().length() / 4,
                        recentChars / 4));
    }

    /**
     * Returns the state after {@code steps} advances from empty, with revision {@code steps},
     * computed directly rather than by replaying every step.
     *
     * @param convId the conversation id
     * @param steps  how many rounds were appended
     * @return the state
     */
    static Conversation after(String convId, long steps) {
        if (steps == 0) {
            return Conversation.empty(convId);
        }
        // The first fold happens at step WINDOW + 1, then every FOLD steps.
        long folds = steps <= WINDOW ? 0 : (steps - WINDOW - 1) / FOLD + 1;
        long compacted = folds * FOLD;
        List<Round> recent = new ArrayList<>();
        long recentChars = 0;
        for (long seq = compacted + 1; seq <= steps; seq++) {
            Round round = round(seq);
            recent.add(round);
            recentChars += round.user().length() + round.assistant().length();
        }
        String context = folds == 0 ? "" : "summary of rounds 1.." + compacted;
        Counters counters = new Counters(steps, folds, compacted, 0, context.length() / 4,
                recentChars / 4, folds == 0 ? Optional.empty()
                        : Optional.of(at(WINDOW + 1 + (folds - 1) * FOLD)));
        return new Conversation(convId, steps, at(steps), context, recent, counters);
    }

    private static Instant at(long seq) {
        return START.plusSeconds(seq);
    }

    private static String text(Random random) {
        // Mostly short, sometimes a few kilobytes, so that writes take varying time.
        int pieces = random.nextInt(8) == 0 ? 500 + random.nextInt(1500) : random.nextInt(40);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    /**
     * Tells whether two states hold the same conversation, ignoring the update time (which a
     * store may stamp itself).
     *
     * @param expected the expected state
     * @param actual   the stored state
     * @return a description of the first difference, or empty if they match
     */
    static String difference(Conversation expected, Conversation actual) {
        List<String> differences = new ArrayList<>();
        if (!expected.convId().equals(actual.convId())) {
            differences.add("convId " + expected.convId() + " != " + actual.convId());
        }
        if (expected.revision() != actual.revision()) {
            differences.add("revision " + expected.revision() + " != " + actual.revision());
        }
        if (!expected.compressedContext().equals(actual.compressedContext())) {
            differences.add("compressedContext '" + expected.compressedContext() + "' != '"
                    + actual.compressedContext() + "'");
        }
        if (!expected.counters().equals(actual.counters())) {
            differences.add("counters " + expected.counters() + " != " + actual.counters());
        }
        if (!expected.recentRounds().equals(actual.recentRounds())) {
            differences.add("recentRounds differ: expected seqs "
                    + seqs(expected.recentRounds()) + ", got " + seqs(actual.recentRounds()));
        }
        return String.join("; ", differences);
    }

    private static List<Long> seqs(List<Round> rounds) {
        return rounds.stream().map(Round::seq).toList();
    }
}
