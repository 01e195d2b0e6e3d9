package dev.palimpsest.engine;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds the sentences of a round that carry information, and tells when a newer one restates a
 * fact. A sentence carries information when it holds a value: a number, an identifier
 * ({@code INC-4821}, {@code db.staging.internal}, {@code maxRetries}, {@code EU_WEST}), a quoted
 * string, or a name; decision and preference words ("decided", "prefer", "deadline") raise it,
 * and a question lowers it, since questions rarely state values. Its key is its other content
 * words ({@code staging database port}): a newer sentence with nearly the same key states the
 * same fact, so it replaces the older one, and a changed value keeps only its newest statement.
 */
final class FactExtractor {
    /** A sentence below this score is not kept as a fact. */
    static final double MIN_SCORE = 3;
    /** The score of a round's gist line: kept only while nothing more informative needs room. */
    static final double GIST_SCORE = 0.5;
    /** The most fact lines one round gives, its best ones. */
    static final int MAX_FACTS_PER_ROUND = 6;
    /** Chars of one message that are read: facts past them are not seen. */
    static final int MAX_SCANNED_CHARS = 1 << 20;

    private static final int GIST_CHARS = 100;
    private static final Set<String> STOP_WORDS = Set.of(
            "a", "about", "above", "after", "again", "all", "also", "although", "am", "an", "and",
            "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
            "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done",
            "down", "during", "each", "either", "else", "even", "ever", "every", "for", "from",
            "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
            "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
            "just", "know", "let", "like", "make", "many", "may", "me", "more", "most", "much",
            "must", "my", "myself", "need", "no", "nor", "not", "of", "off", "ok", "okay", "on",
            "once", "one", "only", "or", "other", "our", "ours", "out", "over", "please", "same",
            "she", "should", "so", "some", "still", "such", "sure", "than", "thank", "thanks",
            "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "think",
            "this", "those", "through", "to", "too", "under", "until", "up", "us", "very", "want",
            "was", "we", "well", "were", "what", "when", "where", "which", "while", "who", "why",
            "will", "with", "would", "yes", "you", "your", "yours", "yourself", "great", "good",
            "sounds", "got", "get", "going", "thing", "things", "really", "right", "yeah", "hi",
            "hello", "hey", "today", "tomorrow", "yesterday", "sorry", "maybe", "perhaps",
            "morning", "afternoon", "evening", "tonight", "week", "month", "time", "way",
            "bit", "little", "lot",
            "new", "old", "current", "currently");
    /**
     * Nouns and adjectives of decisions and preferences: they raise a sentence and belong to its
     * key (a "preferred editor" is another fact than an "editor").
     */
    private static final Set<String> CUES = Set.of(
            "decision", "preferred", "preference", "favorite", "favourite", "deadline", "due",
            "owner", "responsible", "budget", "limit", "password", "version");
    /** Verbs of decisions and preferences: they raise a sentence and stay out of its key. */
    private static final Set<String> CUE_VERBS = Set.of(
            "decided", "decide", "agreed", "agree", "chose", "choose", "chosen", "picked",
            "prefer", "prefers", "always", "never", "remember", "owns", "assigned", "named",
            "called", "noted", "record");
    /**
     * Words of change: they raise a sentence but stay out of its key, so that "change the port
     * to 6543" restates "the port is 5433".
     */
    private static final Set<String> CHANGES = Set.of(
            "changed", "change", "changes", "switch", "switched", "moved", "move", "renamed",
            "rename", "updated", "update", "correction", "correct", "instead", "actually", "now",
            "anymore", "longer", "replaced", "replace");
    /** Words of setting things: they raise a sentence, stay out of its key, and change nothing. */
    private static final Set<String> SETTINGS = Set.of("set", "use", "using", "uses", "used",
            "plan", "planned");
    /** Words in capitals that are words, not identifiers. */
    private static final Set<String> COMMON_CAPS = Set.of("OK", "AM", "PM", "TV", "FYI", "ASAP",
            "BTW", "LOL", "IMO", "AI");

    private FactExtractor() {
    }

    /** A fact line: a sentence (or a gist, or a line of an earlier context) and its weight. */
    record Fact(long round, int order, String text, double score, Set<String> key,
                Set<String> ids, boolean change) {
        /** {@return the line as the context prints it} */
        String line() {
            return round > 0 ? "#" + round + " " + text : text;
        }
    }

    /**
     * {@return the fact lines of one round, in order, at most {@link #MAX_FACTS_PER_ROUND}}: its
     * most informative sentences, or its gist if none carries information
     *
     * @param round    the round
     * @param maxChars the most chars of one line's text
     * @param order    the order of the first line, for a stable sort
     */
    static List<Fact> facts(Round round, int maxChars, int order) {
        List<Fact> found = new ArrayList<>();
        String gist = null;
        int n = order;
        for (StoredMessage stored : round.messages()) {
            Message m = stored.message();
            String label = label(m);
            if (gist == null && (m.role() == Role.USER || m.role() == Role.SYSTEM)
                    && !m.content().isBlank()) {
                gist = label + ExtractiveSummarizer.clip(
                        ExtractiveSummarizer.clean(m.content(), GIST_CHARS + 1), GIST_CHARS);
            }
            String text = m.content();
            if (text.length() > MAX_SCANNED_CHARS) {
                int end = MAX_SCANNED_CHARS;
                if (Character.isHighSurrogate(text.charAt(end - 1))) {
                    end--;
                }
                text = text.substring(0, end);
            }
            if (m.role() == Role.TOOL) {
                // Tool output is often JSON: each string value is a sentence of its own.
                text = text.replace("\", \"", "\n").replace("\",\"", "\n")
                        .replace("{\"", "\n").replace("\"}", "\n");
            }
            for (String sentence : sentences(text)) {
                String clean = ExtractiveSummarizer.clean(sentence);
                if (clean.length() < 3) {
                    continue;
                }
                Weighed w = weigh(clean);
                if (w.score() >= MIN_SCORE && w.hasValue()) {
                    found.add(new Fact(round.seq(), n++, label + window(clean,
                            maxChars - label.length()), w.score(), w.key(), w.ids(),
                            w.change()));
                }
            }
        }
        if (found.size() > MAX_FACTS_PER_ROUND) {
            List<Fact> best = new ArrayList<>(found);
            best.sort(Comparator.comparingDouble(Fact::score).reversed()
                    .thenComparingInt(Fact::order));
            Set<Fact> kept = new HashSet<>(best.subList(0, MAX_FACTS_PER_ROUND));
            found.removeIf(f -> !kept.contains(f));
        }
        if (found.isEmpty()) {
            String text = gist != null ? gist : "(a round of " + round.messages().size()
                    + " messages without text)";
            found.add(new Fact(round.seq(), n, ExtractiveSummarizer.clip(text, maxChars),
                    GIST_SCORE, Set.of(), Set.of(), false));
        }
        return found;
    }

    /**
     * {@return a line of an earlier context as a fact}: {@code #N text} keeps its round; any
     * other line (another summarizer's) is kept with round 0, weighed by its words
     */
    static Fact fromLine(String line, int maxChars, int order) {
        long round = 0;
        String text = line;
        if (line.length() > 2 && line.charAt(0) == '#') {
            int i = 1;
            while (i < line.length() && i < 20 && Character.isDigit(line.charAt(i))) {
                i++;
            }
            if (i > 1 && i < line.length() && line.charAt(i) == ' ') {
                try {
                    round = Long.parseLong(line.substring(1, i));
                    text = line.substring(i + 1);
                } catch (NumberFormatException tooLong) {
                    round = 0;
                }
            }
        }
        text = ExtractiveSummarizer.clip(text, maxChars);
        Weighed w = weigh(withoutLabel(text));
        double score = w.hasValue() ? Math.max(w.score(), GIST_SCORE) : GIST_SCORE;
        return new Fact(round, order, text, score, w.hasValue() ? w.key() : Set.of(), w.ids(),
                w.change());
    }

    /** {@return a fact line's text without its speaker ({@code user: }, {@code tool NAME: })} */
    private static String withoutLabel(String text) {
        for (String label : new String[] {"user: ", "assistant: ", "system: "}) {
            if (text.startsWith(label)) {
                return text.substring(label.length());
            }
        }
        if (text.startsWith("tool ")) {
            int colon = text.indexOf(": ");
            if (colon > 0 && colon < 50) {
                return text.substring(colon + 2);
            }
        }
        return text;
    }

    /**
     * {@return whether {@code newer} states the same fact as {@code older}, so replaces it}:
     * their keys share at least two words and three quarters of the smaller key, and either the
     * newer one says it changes something ("actually", "now", "change", ...) or both name the
     * same identifiers that mix letters and digits (versions such as {@code v2.4.0} are values,
     * not identifiers); a shared identifier counts as a shared word.
     * "INC-4011 is assigned to Dana" and "INC-4012 is assigned to Dana" are two facts; "the port
     * is 5433" and "the port is 6543" one, of which the newer stays.
     */
    static boolean restates(Fact newer, Fact older) {
        if (!newer.change() && !newer.ids().equals(older.ids())) {
            return false;
        }
        // Without a word of change, different identifiers are different facts (checked above);
        // with one, an identifier may be the value that changed ("the flag is now FF-2"). A
        // shared identifier counts as one more shared word: "INC-4011 is now assigned to Omar"
        // restates "INC-4011 is assigned to Dana".
        boolean bothNameIds = !newer.ids().isEmpty() && !older.ids().isEmpty()
                && !Collections.disjoint(newer.ids(), older.ids());
        Set<String> a = newer.key();
        Set<String> b = older.key();
        int shared = bothNameIds ? 1 : 0;
        for (String word : a) {
            if (b.contains(word)) {
                shared++;
            }
        }
        int smaller = Math.min(a.size(), b.size()) + (bothNameIds ? 1 : 0);
        return smaller >= 2 && shared >= 2 && shared * 4 >= 3 * smaller;
    }


    private static String label(Message m) {
        return switch (m.role()) {
            case USER -> "user: ";
            case ASSISTANT -> "assistant: ";
            case TOOL -> "tool " + ExtractiveSummarizer.clip(
                    ExtractiveSummarizer.clean(m.toolName().orElse("?"), 41), 40) + ": ";
            case SYSTEM -> "system: ";
        };
    }

    /**
     * Splits a text into sentences: at a line break, or after {@code . ! ? ;} followed by white
     * space (so {@code 3.5}, {@code v2.1.0} and {@code db.staging} stay whole).
     */
    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean end = c == '\n' || c == '\r';
            if (!end && (c == '.' || c == '!' || c == '?' || c == ';')) {
                end = i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1));
                if (end) {
                    i++;
                }
            }
            if (end) {
                if (i > start) {
                    out.add(text.substring(start, Math.min(i, text.length())));
                }
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** What a sentence weighs: its score, whether it holds a value, and its key words. */
    record Weighed(double score, boolean hasValue, Set<String> key, Set<String> ids,
                   boolean change) {
    }

    static Weighed weigh(String sentence) {
        String[] tokens = sentence.split(" ");
        int values = 0;
        int identifiers = 0;
        int names = 0;
        boolean firstIsName = false;
        boolean cue = false;
        boolean change = false;
        Set<String> key = new HashSet<>();
        Set<String> ids = new HashSet<>();
        int quoted = countQuoted(sentence);
        boolean first = true;
        for (String raw : tokens) {
            String token = trim(raw);
            if (token.isEmpty()) {
                continue;
            }
            String lower = token.toLowerCase(Locale.ROOT);
            boolean isFirst = first;
            first = false;
            if (hasDigit(token)) {
                values++;
                if (hasLetter(token) && !isVersion(lower)) {
                    ids.add(lower);
                }
                continue;
            }
            if (isIdentifier(token)) {
                identifiers++;
                continue;
            }
            if (isName(token) && !CUES.contains(lower) && !CHANGES.contains(lower)
                    && !SETTINGS.contains(lower) && !CUE_VERBS.contains(lower)
                    && !STOP_WORDS.contains(lower)) {
                if (!isFirst) {
                    names++;
                    continue;
                }
                // "Anna owns the release" or "Staging uses 5433": a capital at the start may be
                // a name or just the start, so it counts for less and stays in the key.
                firstIsName = true;
            }
            if (CHANGES.contains(lower) || SETTINGS.contains(lower)
                    || CUE_VERBS.contains(lower)) {
                cue = true;
                change |= CHANGES.contains(lower);
                continue;
            }
            if (CUES.contains(lower)) {
                cue = true;
            }
            if (lower.length() >= 3 && !STOP_WORDS.contains(lower) && isWord(lower)) {
                key.add(stem(lower));
            }
        }
        double score = 3.0 * Math.min(values, 2) + 2.0 * Math.min(identifiers, 2)
                + 2.0 * Math.min(names, 2) + (firstIsName ? 1 : 0) + 2.0 * Math.min(quoted, 1)
                + (cue ? 2 : 0);
        if (sentence.endsWith("?")) {
            score -= 2;
        }
        boolean hasValue = values + identifiers + names + quoted > 0 || firstIsName;
        return new Weighed(score, hasValue, Set.copyOf(key), Set.copyOf(ids), change);
    }

    private static int countQuoted(String s) {
        int count = 0;
        for (char q : new char[] {'"', '`', '\u201C'}) {
            char close = q == '\u201C' ? '\u201D' : q;
            int open = s.indexOf(q);
            while (open >= 0) {
                int end = s.indexOf(close, open + 1);
                if (end < 0) {
                    break;
                }
                if (end - open > 2) {
                    count++;
                }
                open = s.indexOf(q, end + 1);
            }
        }
        return count;
    }

    /** Strips the punctuation around a token, keeping what is inside it. */
    private static String trim(String raw) {
        int start = 0;
        int end = raw.length();
        while (start < end && !Character.isLetterOrDigit(raw.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetterOrDigit(raw.charAt(end - 1))) {
            end--;
        }
        return raw.substring(start, end);
    }

    /** {@code v2}, {@code v2.4.0}, {@code 3.5rc1}: a value that changes, not a name. */
    private static boolean isVersion(String lower) {
        int i = lower.startsWith("v") ? 1 : 0;
        if (i >= lower.length() || !Character.isDigit(lower.charAt(i))) {
            return false;
        }
        while (i < lower.length() && (Character.isDigit(lower.charAt(i))
                || lower.charAt(i) == '.')) {
            i++;
        }
        String rest = lower.substring(i);
        return rest.isEmpty() || rest.matches("(rc|alpha|beta|b|a)\\d*");
    }

    private static boolean hasLetter(String token) {
        for (int i = 0; i < token.length(); i++) {
            if (Character.isLetter(token.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDigit(String token) {
        for (int i = 0; i < token.length(); i++) {
            if (Character.isDigit(token.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** {@code a_b}, {@code a-b}, {@code a.b}, {@code a/b}, {@code a@b}, camelCase, or ALLCAPS. */
    private static boolean isIdentifier(String token) {
        if (token.length() < 2) {
            return false;
        }
        int upper = 0;
        boolean lowerThenUpper = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '_' || c == '.' || c == '/' || c == '@' || c == ':' || c == '#') {
                return true;
            }
            if (c == '-' && i > 0 && i < token.length() - 1) {
                // A hyphenated word of two lower-case parts is a word, not an identifier.
                if (Character.isUpperCase(token.charAt(0)) || Character.isUpperCase(
                        token.charAt(token.length() - 1))) {
                    return true;
                }
            }
            if (Character.isUpperCase(c)) {
                upper++;
                if (i > 0 && Character.isLowerCase(token.charAt(i - 1))) {
                    lowerThenUpper = true;
                }
            }
        }
        return lowerThenUpper || (upper == token.length() && upper >= 2 && upper <= 10
                && !COMMON_CAPS.contains(token));
    }

    private static boolean isName(String token) {
        return Character.isUpperCase(token.charAt(0)) && token.length() >= 2
                && Character.isLowerCase(token.charAt(1));
    }

    /** Letters, and hyphens between them ({@code on-call}). */
    private static boolean isWord(String lower) {
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (!Character.isLetter(c) && !(c == '-' && i > 0 && i < lower.length() - 1)) {
                return false;
            }
        }
        return true;
    }

    private static String stem(String word) {
        return word.length() >= 5 && word.endsWith("s") && !word.endsWith("ss")
                ? word.substring(0, word.length() - 1) : word;
    }

    /**
     * {@return the sentence within {@code max} chars}: whole if it fits, else a window that
     * starts a little before its first value, cut at word ends, marked with ellipses
     */
    static String window(String sentence, int max) {
        if (sentence.length() <= max) {
            return sentence;
        }
        int value = firstDigit(sentence);
        int start = value < 0 ? 0 : Math.max(0, value - max / 3);
        if (start > 0) {
            int space = sentence.indexOf(' ', start);
            start = space >= 0 && space < value ? space + 1 : start;
            if (Character.isLowSurrogate(sentence.charAt(start))) {
                start++;
            }
            return ExtractiveSummarizer.clip("\u2026" + sentence.substring(start), max);
        }
        return ExtractiveSummarizer.clip(sentence, max);
    }

    private static int firstDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
