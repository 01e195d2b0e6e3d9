package dev.palimpsest.server.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters of a query string, strictly: each at most once, only those the route takes
 * (a misspelt one is refused, not ignored), numbers in range.
 */
final class Query {
    private final Map<String, String> values;

    private Query(Map<String, String> values) {
        this.values = values;
    }

    static Query parse(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&", -1)) {
                int eq = pair.indexOf('=');
                String key = Route.percentDecode(eq < 0 ? pair : pair.substring(0, eq), true,
                        "a query parameter's name");
                String value = eq < 0 ? "" : Route.percentDecode(pair.substring(eq + 1), true,
                        "the query parameter '" + Json.oneLine(key) + "'");
                if (values.put(key, value) != null) {
                    throw ApiError.badRequest("the query parameter '" + Json.oneLine(key)
                            + "' is given twice");
                }
            }
        }
        return new Query(values);
    }

    /** Refuses any parameter but {@code allowed}. */
    void only(String... allowed) {
        for (String key : values.keySet()) {
            if (!List.of(allowed).contains(key)) {
                throw ApiError.badRequest("unknown query parameter '" + Json.oneLine(key) + "'"
                        + (allowed.length == 0 ? "; this resource takes none"
                        : "; allowed: " + String.join(", ", allowed)));
            }
        }
    }

    Optional<String> text(String key) {
        return Optional.ofNullable(values.get(key));
    }

    Optional<Long> number(String key, long min) {
        String value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            long n = Long.parseLong(value);
            if (n >= min && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.of(n);
            }
        } catch (NumberFormatException e) {
            // Refused below, naming the parameter.
        }
        throw ApiError.badRequest("the query parameter '" + key + "' must be a whole number >= "
                + min + ", was '" + Json.oneLine(value) + "'");
    }

    int integer(String key, int fallback, int min, int max) {
        Optional<Long> n = number(key, min);
        if (n.isPresent() && n.get() > max) {
            throw ApiError.badRequest("the query parameter '" + key + "' must be at most " + max
                    + ", was " + n.get());
        }
        return n.map(Long::intValue).orElse(fallback);
    }

    boolean bool(String key, boolean fallback) {
        String value = values.get(key);
        if (value == null) {
            return fallback;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiError.badRequest("the query parameter '" + key + "' must be true"
                    + " or false, was '" + Json.oneLine(value) + "'");
        };
    }
}
