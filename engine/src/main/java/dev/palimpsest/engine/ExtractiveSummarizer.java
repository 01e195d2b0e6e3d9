package dev.palimpsest.engine;

import dev.palimpsest.model.Round;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The default summarizer: offline, deterministic, and bounded by a character budget that it keeps
 * however many rounds it folds. It keeps facts, not first lines.
 *
 * <p>The compressed context it writes is a list of fact lines, oldest round first:
 * <pre>
 * #7 tool read_config: staging database port = 5433
 * #7 assistant: Staging listens on 5433 now; the old 5432 is retired.
 * #12 user: We decided to ship on Friday and Anna owns the release.
 * #40 user: Actually, change the staging database port to 6543.
 * </pre>
 * From each folded round it takes the sentences that carry information: those holding a value
 * (a number, an identifier such as {@code INC-4821} or {@code db.staging.internal}, a quoted
 * string, a name), raised by words of decisions and preferences and lowered when they are
 * questions; at most six per round, the best, each whole or as a window around its first value.
 * A round with none of them leaves its gist (the first words of its user text), which is the
 * first to go when room is short. A newer sentence that states the same fact (nearly the same
 * other words, such as "staging database port") replaces the older one, so a fact that changed
 * keeps only its newest value. While the lines exceed the budget, the least informative line goes
 * first, older before newer among equals; one line of the newest folded round always stays. No
 * line is longer than half the budget. The budget counts UTF-16 characters
 * ({@link String#length()}); cuts never split a surrogate pair. Each message is read up to its
 * first {@value FactExtractor#MAX_SCANNED_CHARS} chars.
 *
 * <p>A previous context written by another summarizer is kept line by line, weighed by the same
 * rules and folded the same way, so switching summarizers never breaks the budget.
 */
public final class ExtractiveSummarizer implements Summarizer {
    /** The default budget: 6,000 characters, about 1,500 tokens of English. */
    public static final int DEFAULT_BUDGET = 6_000;

    /** The smallest budget accepted, so that a line of the newest round always fits. */
    public static final int MIN_BUDGET = 200;

    /** The longest line, in chars, whatever the budget. */
    private static final int MAX_LINE = 320;
    private static final char ELLIPSIS = '\u2026';

    private final int budget;
    private final int maxLine;

    private ExtractiveSummarizer(int budget) {
        if (budget < MIN_BUDGET) {
            throw new IllegalArgumentException(
                    "budget must be >= " + MIN_BUDGET + " characters, was " + budget);
        }
        this.budget = budget;
        this.maxLine = Math.min(MAX_LINE, budget / 2);
    }

    /**
     * Returns a summarizer that keeps its output within {@code chars} characters.
     *
     * @param chars the budget, at least {@link #MIN_BUDGET}
     * @return the summarizer
     * @throws IllegalArgumentException if the budget is below {@link #MIN_BUDGET}
     */
    public static ExtractiveSummarizer withBudget(int chars) {
        return new ExtractiveSummarizer(chars);
    }

    /**
     * Returns a summarizer with the {@link #DEFAULT_BUDGET}.
     *
     * @return the summarizer
     */
    public static ExtractiveSummarizer withDefaultBudget() {
        return new ExtractiveSummarizer(DEFAULT_BUDGET);
    }

    /**
     * Returns the character budget this summarizer keeps.
     *
     * @return the budget
     */
    public int budget() {
        return budget;
    }

    @Override
    public String summarize(SummaryRequest request) {
        Objects.requireNonNull(request, "request");
        List<FactExtractor.Fact> facts = new ArrayList<>();
        int order = 0;
        for (String raw : request.previousContext().split("\n", -1)) {
            String line = clean(raw);
            if (!line.isEmpty()) {
                facts.add(FactExtractor.fromLine(line, maxLine, order++));
            }
        }
        long newest = request.evictedRounds().get(request.evictedRounds().size() - 1).seq();
        for (Round round : request.evictedRounds()) {
            for (FactExtractor.Fact fact : FactExtractor.facts(round, maxLine, order)) {
                order = fact.order() + 1;
                facts.removeIf(older -> FactExtractor.restates(fact, older));
                facts.add(fact);
            }
        }
        // The newest round's best line stays whatever the budget: the context says how far it
        // reaches. A restatement may have taken its lines, so pick among what is left.
        FactExtractor.Fact kept = null;
        for (FactExtractor.Fact f : facts) {
            if (f.round() == newest && (kept == null || f.score() > kept.score())) {
                kept = f;
            }
        }
        if (kept == null) {
            kept = new FactExtractor.Fact(newest, order, "(its facts restate earlier ones)",
                    FactExtractor.GIST_SCORE, Set.of(), Set.of(), false);
            facts.add(kept);
        }
        long length = -1;
        for (FactExtractor.Fact f : facts) {
            length += f.line().length() + 1;
        }
        while (length > budget) {
            FactExtractor.Fact victim = null;
            double lowest = Double.MAX_VALUE;
            for (int i = 0; i < facts.size(); i++) {
                FactExtractor.Fact f = facts.get(i);
                if (f == kept) {
                    continue;
                }
                // Older lines weigh up to one point less: among equals, the oldest goes first.
                double weight = f.score() + (double) i / facts.size();
                if (weight < lowest) {
                    lowest = weight;
                    victim = f;
                }
            }
            if (victim == null) {
                break;
            }
            facts.remove(victim);
            length -= victim.line().length() + 1;
        }
        facts.sort(Comparator.comparingLong(FactExtractor.Fact::round)
                .thenComparingInt(FactExtractor.Fact::order));
        StringBuilder out = new StringBuilder(budget);
        for (FactExtractor.Fact f : facts) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(f.line());
        }
        return out.toString();
    }

    /**
     * Collapses whitespace and control characters to single spaces and replaces unpaired
     * surrogates, so a line stays one line and is valid Unicode.
     */
    static String clean(String text) {
        return clean(text, Integer.MAX_VALUE - 2);
    }

    /**
     * Cleans like {@link #clean(String)}, but stops once {@code limit} characters are written,
     * so a huge round costs only the prefix that can appear in its digest line.
     */
    static String clean(String text, int limit) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), Math.min(limit + 2, 4096)));
        boolean space = false;
        int i = 0;
        for (; i < text.length() && out.length() < limit; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(i + 1));
                i++;
                space = false;
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
                space = false;
            } else if (Character.isWhitespace(c) || Character.isISOControl(c)
                    || Character.isSpaceChar(c)) {
                if (!space && out.length() > 0) {
                    out.append(' ');
                }
                space = true;
            } else {
                out.append(c);
                space = false;
            }
        }
        if (hasVisibleCharFrom(text, i)) {
            // Stopped early: keep the length above the limit, so the caller clips and marks it.
            return out.toString();
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
        return out.toString();
    }

    /** Tells whether {@code text} holds more than whitespace and controls from {@code from}. */
    private static boolean hasVisibleCharFrom(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && !Character.isISOControl(c)
                    && !Character.isSpaceChar(c)) {
                return true;
            }
        }
        return false;
    }

    /** Cuts a cleaned text to at most {@code max} characters, at a word end where one is near. */
    static String clip(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1; // room for the ellipsis
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        int space = text.lastIndexOf(' ', end);
        if (space > end - 20 && space > 0) {
            end = space;
        }
        return text.substring(0, end).stripTrailing() + ELLIPSIS;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Leaves out every line of the context that a fact of a recent round restates (by the
     * rule that replaces facts when folding), so that a value changed since the last compaction
     * shows only its newest statement; lines of other summarizers are kept unless they name a
     * fact the same way.
     */
    @Override
    public String withoutSuperseded(String compressedContext, List<Round> recentRounds) {
        if (compressedContext.isEmpty() || recentRounds.isEmpty()) {
            return compressedContext;
        }
        List<FactExtractor.Fact> newer = new ArrayList<>();
        for (Round round : recentRounds) {
            for (FactExtractor.Fact f : FactExtractor.facts(round, maxLine, 0)) {
                if (f.score() >= FactExtractor.MIN_SCORE) {
                    newer.add(f);
                }
            }
        }
        if (newer.isEmpty()) {
            return compressedContext;
        }
        StringBuilder out = new StringBuilder(compressedContext.length());
        boolean dropped = false;
        for (String line : compressedContext.split("\n", -1)) {
            FactExtractor.Fact old = FactExtractor.fromLine(clean(line), maxLine, 0);
            boolean restated = false;
            for (FactExtractor.Fact f : newer) {
                if (FactExtractor.restates(f, old)) {
                    restated = true;
                    break;
                }
            }
            if (restated) {
                dropped = true;
                continue;
            }
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(line);
        }
        return dropped ? out.toString() : compressedContext;
    }

    @Override
    public String toString() {
        return "ExtractiveSummarizer[budget=" + budget + "]";
    }
}
