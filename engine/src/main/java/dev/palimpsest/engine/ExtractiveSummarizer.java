package dev.palimpsest.engine;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The default summarizer: offline, deterministic, and bounded by a character budget that it keeps
 * however many rounds it folds.
 *
 * <p>The compressed context it writes is a list of lines:
 * <pre>
 * Earlier topics: invoice, refund, shipping, ...
 * #21 user: Where is my parcel? | assistant: [track_parcel] It left the depot on Monday and ...
 * #22 user: ...
 * </pre>
 * Each evicted round becomes one digest line: its number, the first words of its user (or system)
 * text, and the first words of its assistant texts, with the names of the tools it called in
 * brackets; tool results are left out (the log keeps them). Whitespace is collapsed. The lines are appended after the previous context's lines. While the
 * result exceeds the budget, the oldest digest line is folded into the first line, which keeps
 * the most frequent words of the folded lines (newest first, a bounded number, taking at most a
 * quarter of the budget). No digest line is longer than half the budget, so the newest line always
 * survives. The budget counts UTF-16 characters ({@link String#length()}); cuts never split a
 * surrogate pair.
 *
 * <p>A previous context written by another summarizer is kept line by line and folded the same
 * way, so switching summarizers never breaks the budget.
 */
public final class ExtractiveSummarizer implements Summarizer {
    /** The default budget: 6,000 characters, about 1,500 tokens of English. */
    public static final int DEFAULT_BUDGET = 6_000;

    /** The smallest budget accepted, so that a digest line and the topics line always fit. */
    public static final int MIN_BUDGET = 200;

    /** The first line's prefix, which marks it as the folded topics of older rounds. */
    static final String TOPICS_PREFIX = "Earlier topics: ";

    private static final int MAX_USER_CHARS = 160;
    private static final int MAX_ASSISTANT_CHARS = 240;
    private static final int KEYWORDS_PER_LINE = 4;
    private static final int MAX_KEYWORDS = 40;
    private static final int MIN_WORD = 4;
    private static final int MAX_WORD = 24;
    private static final char ELLIPSIS = '\u2026';
    private static final Set<String> STOP_WORDS = Set.of(
            "about", "above", "after", "again", "also", "although", "assistant", "because",
            "been", "before", "being", "below", "between", "both", "could", "does", "doing",
            "down", "during", "each", "either", "else", "even", "ever", "every", "from",
            "further", "have", "having", "here", "hers", "herself", "himself", "into", "itself",
            "just", "know", "like", "make", "many", "more", "most", "much", "must", "myself",
            "need", "never", "once", "only", "other", "ours", "over", "please", "same", "should",
            "some", "still", "such", "sure", "than", "thank", "thanks", "that", "their",
            "theirs", "them", "then", "there", "these", "they", "think", "this", "those",
            "through", "under", "until", "user", "very", "want", "well", "were", "what", "when",
            "where", "which", "while", "will", "with", "would", "your", "yours", "yourself");

    private final int budget;
    private final int maxLine;
    private final int maxTopics;

    private ExtractiveSummarizer(int budget) {
        if (budget < MIN_BUDGET) {
            throw new IllegalArgumentException(
                    "budget must be >= " + MIN_BUDGET + " characters, was " + budget);
        }
        this.budget = budget;
        this.maxLine = budget / 2;
        this.maxTopics = budget / 4;
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
        List<String> topics = new ArrayList<>();
        Deque<String> lines = new ArrayDeque<>();
        boolean first = true;
        for (String raw : request.previousContext().split("\n", -1)) {
            String line = clean(raw);
            if (line.isEmpty()) {
                continue;
            }
            if (first && line.startsWith(TOPICS_PREFIX)) {
                for (String topic : line.substring(TOPICS_PREFIX.length()).split(",")) {
                    String t = topic.strip();
                    if (!t.isEmpty() && !topics.contains(t)) {
                        topics.add(t);
                    }
                }
            } else {
                lines.addLast(clip(line, maxLine));
            }
            first = false;
        }
        for (Round round : request.evictedRounds()) {
            lines.addLast(digest(round));
        }
        String topicsLine = renderTopics(topics);
        long linesLength = joinedLength(lines);
        while (total(topicsLine, linesLength, lines.isEmpty()) > budget && !lines.isEmpty()) {
            String oldest = lines.pollFirst();
            linesLength -= oldest.length() + (lines.isEmpty() ? 0 : 1);
            List<String> merged = new ArrayList<>(keywords(oldest));
            for (String t : topics) {
                if (!merged.contains(t)) {
                    merged.add(t);
                }
            }
            topics = merged.size() > MAX_KEYWORDS ? merged.subList(0, MAX_KEYWORDS) : merged;
            topicsLine = renderTopics(topics);
        }
        StringBuilder out = new StringBuilder(budget);
        out.append(topicsLine);
        for (String line : lines) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(line);
        }
        return out.toString();
    }

    private static long total(String topicsLine, long linesLength, boolean noLines) {
        return topicsLine.length() + (topicsLine.isEmpty() || noLines ? 0 : 1) + linesLength;
    }

    private static long joinedLength(Deque<String> lines) {
        long length = 0;
        for (String line : lines) {
            length += line.length();
        }
        return length + Math.max(0, lines.size() - 1);
    }

    /** Renders the topics line, dropping the oldest topics until it fits its share. */
    private String renderTopics(List<String> topics) {
        int count = topics.size();
        while (count > 0) {
            String line = TOPICS_PREFIX + String.join(", ", topics.subList(0, count));
            if (line.length() <= maxTopics) {
                return line;
            }
            count--;
        }
        return "";
    }

    private String digest(Round round) {
        int userChars = Math.min(MAX_USER_CHARS, budget / 8);
        int assistantChars = Math.min(MAX_ASSISTANT_CHARS, budget / 6);
        StringBuilder opening = new StringBuilder();
        String openingRole = "user";
        StringBuilder reply = new StringBuilder();
        for (StoredMessage stored : round.messages()) {
            Message m = stored.message();
            if (m.role() == Role.USER || (m.role() == Role.SYSTEM && opening.length() == 0)) {
                if (opening.length() == 0) {
                    openingRole = m.role().wireName();
                }
                appendBounded(opening, m.content(), userChars + 1);
            } else if (m.role() == Role.ASSISTANT) {
                for (ToolCall call : m.toolCalls()) {
                    appendBounded(reply, "[" + call.name() + "]", assistantChars + 1);
                }
                appendBounded(reply, m.content(), assistantChars + 1);
            }
        }
        String line = "#" + round.seq() + " " + openingRole + ": "
                + clip(clean(opening.toString(), userChars + 1), userChars)
                + " | assistant: " + clip(clean(reply.toString(), assistantChars + 1),
                assistantChars);
        return clip(line, maxLine);
    }

    /**
     * Appends a part, space-separated, reading at most about twice what can show in a digest
     * (whitespace collapses when the line is cleaned), so a huge message costs only its prefix.
     */
    private static void appendBounded(StringBuilder out, String part, int limit) {
        int room = 2 * limit - out.length();
        if (part.isEmpty() || room <= 0) {
            return;
        }
        if (out.length() > 0) {
            out.append(' ');
        }
        int end = Math.min(part.length(), room);
        if (end < part.length() && Character.isHighSurrogate(part.charAt(end - 1))) {
            end--;
        }
        out.append(part, 0, end);
    }

    /** The most frequent words of a line, most frequent first, ties by first appearance. */
    private static List<String> keywords(String line) {
        Map<String, Integer> counts = new HashMap<>();
        Set<String> order = new LinkedHashSet<>();
        int i = 0;
        while (i < line.length()) {
            int cp = line.codePointAt(i);
            if (!Character.isLetterOrDigit(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            int letters = 0;
            boolean hasLetter = false;
            while (i < line.length() && Character.isLetterOrDigit(line.codePointAt(i))) {
                int c = line.codePointAt(i);
                hasLetter |= Character.isLetter(c);
                letters++;
                i += Character.charCount(c);
            }
            if (!hasLetter || letters < MIN_WORD || letters > MAX_WORD) {
                continue;
            }
            String word = line.substring(start, i).toLowerCase(Locale.ROOT);
            if (STOP_WORDS.contains(word)) {
                continue;
            }
            counts.merge(word, 1, Integer::sum);
            order.add(word);
        }
        List<String> ranked = new ArrayList<>(order);
        // Stable sort: equal counts keep their first-appearance order, so output is deterministic.
        ranked.sort((a, b) -> Integer.compare(counts.get(b), counts.get(a)));
        return ranked.size() > KEYWORDS_PER_LINE ? ranked.subList(0, KEYWORDS_PER_LINE) : ranked;
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

    @Override
    public String toString() {
        return "ExtractiveSummarizer[budget=" + budget + "]";
    }
}
