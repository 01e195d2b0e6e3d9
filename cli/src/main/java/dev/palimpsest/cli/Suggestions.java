package dev.palimpsest.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * "Did you mean" for a mistyped command or option: the known names within a small edit distance
 * of what was typed (a dropped, doubled, swapped or wrong letter or two), or that start with it.
 */
final class Suggestions {
    private Suggestions() {
    }

    /**
     * Returns the names closest to {@code typed}, best first; empty when none is close.
     *
     * @param typed what the user typed
     * @param known the names that exist
     * @return at most three names
     */
    static List<String> closest(String typed, Collection<String> known) {
        String t = typed.toLowerCase(Locale.ROOT);
        // One edit per three letters, at least one and at most three: "apend" finds "append",
        // "--usr" finds "--user", while "ls" does not find every two-letter name.
        int allowed = Math.max(1, Math.min(3, stripDashes(t).length() / 3));
        List<Candidate> candidates = new ArrayList<>();
        for (String name : known) {
            String n = name.toLowerCase(Locale.ROOT);
            int distance = distance(t, n);
            boolean prefix = stripDashes(t).length() >= 2 && n.startsWith(t);
            if (distance <= allowed || prefix) {
                candidates.add(new Candidate(name, prefix ? 0 : distance));
            }
        }
        candidates.sort(Comparator.comparingInt(Candidate::distance)
                .thenComparing(Candidate::name));
        return candidates.stream().limit(3).map(Candidate::name).toList();
    }

    /** Formats suggestions as {@code did you mean 'a' or 'b'?}; empty when there are none. */
    static String didYouMean(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("did you mean ");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                sb.append(i == names.size() - 1 ? " or " : ", ");
            }
            sb.append('\'').append(names.get(i)).append('\'');
        }
        return sb.append('?').toString();
    }

    private static String stripDashes(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '-') {
            i++;
        }
        return s.substring(i);
    }

    /** The optimal string alignment distance: insertions, deletions, substitutions, swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1),
                        d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
                        && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private record Candidate(String name, int distance) {
    }
}
