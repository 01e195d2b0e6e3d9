package dev.palimpsest.bench;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.ToolCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A deterministic generator of long agent dialogues with planted facts, for the memory
 * benchmark: the same seed and length give the same dialogue, round by round, without holding
 * it in memory.
 *
 * <p>Each fact has a subject that no other fact shares ("the billing database port") and a value
 * ({@code 5433}, {@code Priya Raman}, {@code INC-48213}, {@code v3.12.4}, {@code March 14}),
 * stated once at a chosen depth (rounds back from the end) inside a longer message of the user,
 * the assistant or a tool result, at the start, middle or end of it. A quarter of the facts
 * change: stated first deeper, then restated with a new value ("Actually, change the billing
 * database port to 6543."); only the newest value counts. Each fact has two distractors, sentences
 * that share its subject's words but not its value ("Should we write the billing database port
 * down somewhere?"), and the filler around them carries numbers, names and tool output of its
 * own, so that the summarizer and the search are not handed the facts. The question of a fact
 * names its subject, never its value.
 */
final class MemoryDialogues {
    /** Facts planted per depth bucket and seed. */
    static final int FACTS_PER_BUCKET = 20;

    /** A depth bucket: rounds back from the end, both ends included. */
    record Bucket(String name, int from, int to) {
    }

    /** The buckets of the issue; a dialogue uses those it is long enough for. */
    static final List<Bucket> BUCKETS = List.of(new Bucket("1-20", 1, 20),
            new Bucket("21-100", 21, 100), new Bucket("101-1,000", 101, 1_000),
            new Bucket("over 1,000", 1_001, Integer.MAX_VALUE));

    /** One statement of a fact's value, at a round. */
    record Statement(long round, String value, String sentence, int where) {
    }

    /**
     * A planted fact: its question, its statements (oldest first; the last holds the value that
     * counts), and its bucket (by the newest statement's depth).
     */
    record Fact(String subject, String question, List<Statement> statements, Bucket bucket) {
        Statement newest() {
            return statements.get(statements.size() - 1);
        }

        boolean changed() {
            return statements.size() > 1;
        }
    }

    private static final String[] CONTEXTS = {"staging", "production", "analytics", "billing",
        "payments", "search", "checkout", "mobile", "reporting", "onboarding", "inventory",
        "shipping", "marketing", "support", "identity", "logging", "warehouse", "partner"};
    private static final String[] NUMBER_OBJECTS = {"database port", "worker count",
        "cache size in megabytes", "retry limit", "connection pool size",
        "rate limit per minute", "request timeout in seconds", "replica count",
        "quarterly budget in euros", "nightly batch size"};
    private static final String[] NAME_OBJECTS = {"release manager", "on-call engineer",
        "product owner", "lead designer", "account manager"};
    private static final String[] ID_OBJECTS = {"incident ticket", "feature flag",
        "tracking issue", "purchase order"};
    private static final String[] VERSION_OBJECTS = {"client library version",
        "base image tag"};
    private static final String[] DATE_OBJECTS = {"launch date", "code freeze date"};
    private static final String[] FIRST = {"Priya", "Tomasz", "Amara", "Kenji", "Lucia", "Omar",
        "Ingrid", "Mateo", "Sanna", "Dmitri", "Aisha", "Rafael", "Yuki", "Elena", "Kwame",
        "Noor", "Henrik", "Zanele", "Marco", "Freya"};
    private static final String[] LAST = {"Raman", "Kowalski", "Okafor", "Watanabe", "Ferreira",
        "Haddad", "Lindqvist", "Rojas", "Virtanen", "Volkov", "Bello", "Costa", "Tanaka",
        "Petrova", "Mensah", "Karimi", "Berg", "Dlamini", "Bianchi", "Olsen"};
    private static final String[] ID_PREFIXES = {"INC", "FF", "TRK", "PO"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May",
        "June", "July", "August", "September", "October", "November", "December"};

    private static final String[] STATEMENTS = {
        "By the way, the %s is %s.",
        "Just so you know, we set the %s to %s yesterday.",
        "For the record, the %s is %s.",
        "I checked this morning and the %s is currently %s, which surprised me a little.",
        "Please remember that the %s is %s.",
        "We agreed that the %s is %s from now on."};
    private static final String[] CHANGES = {
        "Actually, change the %s to %s.",
        "Update: the %s is now %s instead.",
        "Correction, we moved the %s to %s this morning."};
    private static final String[] QUESTIONS = {
        "What is the %s?",
        "Remind me, what was the %s again?",
        "Which %s did we settle on?"};
    private static final String[] DISTRACTORS = {
        "The %s came up again in the meeting, but nobody had the details at hand.",
        "Should we write the %s down somewhere more visible?",
        "I keep forgetting where we noted the %s.",
        "Someone from the other team asked about the %s twice this week."};
    private static final String[] FILLER_QUESTIONS = {
        "Can you help me tidy up the onboarding checklist for new hires?",
        "What is a good way to structure a weekly status update?",
        "Could you draft a short note thanking the team for the release?",
        "How should I phrase a reminder about the expense reports?",
        "Any tips for running a shorter retrospective?",
        "Can you summarize the pros and cons of pair programming?",
        "What should go into a good incident postmortem?",
        "How do I explain technical debt to a non-technical manager?",
        "Could you suggest a few names for the internal newsletter?",
        "What is the best way to prepare for a design review?"};
    private static final String[] FILLER = {
        "That is a reasonable approach, and most teams find it works well once it becomes a habit.",
        "Start with the smallest useful version and improve it as people give feedback.",
        "Keep the language plain, and put the most important point in the first sentence.",
        "A short list of concrete actions usually lands better than a long explanation.",
        "It helps to agree on who owns each follow-up before the meeting ends.",
        "People tend to read the first two lines of a message and skim the rest.",
        "If the topic is sensitive, a quick call first can save a long thread later.",
        "Writing things down as you go is cheaper than reconstructing them afterwards.",
        "Try to separate what happened from what you think should change.",
        "A template saves time, but only if people actually fill it in.",
        "Celebrate the small wins too, since they keep the team motivated through long projects.",
        "Ask for feedback early, while changes are still cheap to make.",
        "Timeboxing the discussion keeps it focused and leaves room for decisions.",
        "Most of the value comes from the follow-up, not from the meeting itself.",
        "Consistency matters more than the exact format you choose.",
        "It is fine to say you do not know yet and come back with an answer later.",
        "Examples make abstract advice much easier to apply.",
        "A clear owner and a date turn a good idea into an actual plan."};

    private final long seed;
    private final int rounds;
    private final List<Fact> facts = new ArrayList<>();
    /** Round to what is planted in it: statements and distractors, as sentences. */
    private final Map<Long, List<Planted>> plan = new HashMap<>();

    /** A sentence planted in a round, and in which message (0 user, 1 assistant, 2 tool). */
    private record Planted(String sentence, int where) {
    }

    MemoryDialogues(long seed, int rounds) {
        if (rounds < 40) {
            throw new IllegalArgumentException("a dialogue needs at least 40 rounds, was "
                    + rounds);
        }
        this.seed = seed;
        this.rounds = rounds;
        Random random = new Random(seed);
        List<String[]> subjects = subjects(random);
        int next = 0;
        Set<Long> used = new java.util.HashSet<>();
        // Every value once in a dialogue, so that finding a value means finding its fact.
        Set<String> values = new java.util.HashSet<>();
        for (Bucket bucket : BUCKETS) {
            if (bucket.from() > rounds - 1) {
                continue;
            }
            int to = Math.min(bucket.to(), rounds - 1);
            for (int i = 0; i < FACTS_PER_BUCKET; i++) {
                String[] subject = subjects.get(next++);
                int depth = pickDepth(random, bucket.from(), to, used);
                long round = rounds - depth + 1L;
                boolean changes = random.nextInt(4) == 0 && depth + 5 < rounds;
                List<Statement> statements = new ArrayList<>();
                String value = unique(subject[1], random, values);
                if (changes) {
                    int older = pickDepth(random, depth + 3,
                            Math.min(rounds - 1, depth + 3 + 2 * Math.max(10, depth)), used);
                    String first = unique(subject[1], random, values);
                    statements.add(statement(rounds - older + 1L, subject[0], first,
                            STATEMENTS, random));
                    statements.add(statement(round, subject[0], value, CHANGES, random));
                } else {
                    statements.add(statement(round, subject[0], value, STATEMENTS, random));
                }
                String question = String.format(Locale.ROOT,
                        QUESTIONS[random.nextInt(QUESTIONS.length)], subject[0]);
                Fact fact = new Fact(subject[0], question, statements, bucket);
                facts.add(fact);
                for (Statement s : statements) {
                    plan.computeIfAbsent(s.round(), r -> new ArrayList<>())
                            .add(new Planted(s.sentence(), s.where()));
                }
                for (int d = 0; d < 2; d++) {
                    long at = 1 + random.nextInt(rounds - 1);
                    plan.computeIfAbsent(at, r -> new ArrayList<>()).add(new Planted(
                            String.format(Locale.ROOT, DISTRACTORS[random.nextInt(
                                    DISTRACTORS.length)], subject[0]), random.nextInt(2)));
                }
            }
        }
    }

    private static int pickDepth(Random random, int from, int to, Set<Long> used) {
        for (int attempt = 0; ; attempt++) {
            int depth = from + random.nextInt(Math.max(1, to - from + 1));
            if (used.add((long) depth) || attempt > 50) {
                return depth;
            }
        }
    }

    /** Every subject once, shuffled: {phrase, kind}. */
    private static List<String[]> subjects(Random random) {
        List<String[]> all = new ArrayList<>();
        for (String context : CONTEXTS) {
            for (String o : NUMBER_OBJECTS) {
                all.add(new String[] {context + " " + o, "number"});
            }
            for (String o : NAME_OBJECTS) {
                all.add(new String[] {context + " " + o, "name"});
            }
            for (String o : ID_OBJECTS) {
                all.add(new String[] {context + " " + o, "id"});
            }
            for (String o : VERSION_OBJECTS) {
                all.add(new String[] {context + " " + o, "version"});
            }
            for (String o : DATE_OBJECTS) {
                all.add(new String[] {context + " " + o, "date"});
            }
        }
        java.util.Collections.shuffle(all, random);
        return all;
    }

    private static String unique(String kind, Random random, Set<String> values) {
        String value = value(kind, random);
        while (!values.add(value)) {
            value = value(kind, random);
        }
        return value;
    }

    private static String value(String kind, Random random) {
        return switch (kind) {
            case "number" -> Integer.toString(1_000 + random.nextInt(90_000));
            case "name" -> FIRST[random.nextInt(FIRST.length)] + " "
                    + LAST[random.nextInt(LAST.length)];
            case "id" -> ID_PREFIXES[random.nextInt(ID_PREFIXES.length)] + "-"
                    + (10_000 + random.nextInt(90_000));
            case "version" -> "v" + (1 + random.nextInt(9)) + "." + random.nextInt(30) + "."
                    + random.nextInt(20);
            default -> MONTHS[random.nextInt(12)] + " " + (1 + random.nextInt(28));
        };
    }

    private static Statement statement(long round, String subject, String value,
                                       String[] templates, Random random) {
        int roll = random.nextInt(20);
        int where = roll < 12 ? 0 : roll < 17 ? 1 : 2;
        return new Statement(round, value, String.format(Locale.ROOT,
                templates[random.nextInt(templates.length)], subject, value), where);
    }

    long seed() {
        return seed;
    }

    int rounds() {
        return rounds;
    }

    List<Fact> facts() {
        return List.copyOf(facts);
    }

    /** {@return the buckets this dialogue has facts in} */
    List<Bucket> buckets() {
        Set<Bucket> out = new LinkedHashSet<>();
        for (Fact f : facts) {
            out.add(f.bucket());
        }
        return List.copyOf(out);
    }

    /**
     * {@return the messages of round {@code round} (1-based)}: a user message, sometimes a tool
     * call and its result, and the assistant's answer, with whatever is planted in the round
     */
    List<Message> round(long round) {
        Random random = new Random(seed * 1_000_003L + round);
        List<Planted> planted = plan.getOrDefault(round, List.of());
        StringBuilder user = new StringBuilder(
                FILLER_QUESTIONS[random.nextInt(FILLER_QUESTIONS.length)]);
        StringBuilder answer = new StringBuilder();
        int sentences = 2 + random.nextInt(4);
        for (int i = 0; i < sentences; i++) {
            answer.append(i == 0 ? "" : " ").append(FILLER[random.nextInt(FILLER.length)]);
        }
        if (random.nextInt(4) == 0) {
            answer.append(' ').append(noise(random));
        }
        if (random.nextInt(5) == 0) {
            user.append(' ').append(noise(random));
        }
        boolean tool = random.nextInt(5) == 0 || planted.stream().anyMatch(p -> p.where() == 2);
        StringBuilder result = new StringBuilder();
        if (tool) {
            result.append("{\"status\": \"ok\", \"items\": ").append(random.nextInt(40))
                    .append(", \"took_ms\": ").append(random.nextInt(900)).append(", \"note\": \"");
        }
        for (Planted p : planted) {
            StringBuilder into = p.where() == 0 ? user : p.where() == 1 ? answer : result;
            insert(into, p.sentence(), random);
        }
        List<Message> out = new ArrayList<>();
        out.add(Message.user(user.toString()));
        if (tool) {
            String id = "call-" + round;
            out.add(Message.assistant("", List.of(new ToolCall(id, "search_notes",
                    "{\"query\": \"" + FILLER_QUESTIONS[random.nextInt(FILLER_QUESTIONS.length)]
                    .replace("\"", "") + "\"}"))));
            result.append("\"}");
            out.add(Message.tool(id, "search_notes", result.toString()));
        }
        out.add(Message.assistant(answer.toString()));
        return out;
    }

    private static String noise(Random random) {
        String context = CONTEXTS[random.nextInt(CONTEXTS.length)];
        return switch (random.nextInt(4)) {
            case 0 -> String.format(Locale.ROOT, "The %s dashboard showed %d errors around noon,"
                    + " which is within the usual range.", context, 2 + random.nextInt(400));
            case 1 -> String.format(Locale.ROOT, "We had %d visitors on the %s page yesterday.",
                    100 + random.nextInt(5_000), context);
            case 2 -> String.format(Locale.ROOT, "%s and %s joined the call for the %s review.",
                    FIRST[random.nextInt(FIRST.length)], FIRST[random.nextInt(FIRST.length)],
                    context);
            default -> String.format(Locale.ROOT, "The %s export took %d seconds this time.",
                    context, 2 + random.nextInt(400));
        };
    }

    /** Puts a sentence at the start, in the middle (between sentences) or at the end. */
    private static void insert(StringBuilder into, String sentence, Random random) {
        int where = random.nextInt(3);
        if (into.length() == 0 || where == 2) {
            into.append(into.length() == 0 ? "" : " ").append(sentence);
        } else if (where == 0) {
            into.insert(0, sentence + " ");
        } else {
            int dot = into.indexOf(". ", into.length() / 2);
            if (dot < 0) {
                into.append(' ').append(sentence);
            } else {
                into.insert(dot + 2, sentence + " ");
            }
        }
    }
}
