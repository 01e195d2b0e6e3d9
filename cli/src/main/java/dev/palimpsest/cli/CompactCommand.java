package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.persist.ConversationStore;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest compact}: folds the oldest rounds into the compressed context now. */
final class CompactCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("compact", "Compact a conversation now: fold its oldest "
                + "rounds into the compressed context until --keep-rounds remain, whatever the "
                + "limits say.", "Exit 7 if the summarizer fails (the rounds then stay verbatim).");
        PolicyOptions.addTo(spec);
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        LauncherConfig config = invocation.session().config();
        PolicyOptions policy = PolicyOptions.of(invocation);
        try (ConversationStore store = invocation.session().openStore()) {
            ConversationEngine engine = Session.engine(store, policy.policy(config),
                    policy.summarizer(config, terminal.env()));
            StoredConversations.require(store, convId);
            CompactionOutcome outcome = engine.compact(convId);
            terminal.out().println(describe(outcome, engine.policy().keepRounds()));
        }
        return ExitCode.OK;
    }

    static String describe(CompactionOutcome outcome, int keepRounds) {
        return switch (outcome.status()) {
            case COMMITTED -> "compacted: " + outcome.roundsFolded()
                    + (outcome.roundsFolded() == 1 ? " round" : " rounds")
                    + " folded into the compressed context";
            case NOT_NEEDED -> "nothing to compact: no more than " + keepRounds
                    + " recent rounds";
            case DROPPED -> "nothing to compact: another process compacted these rounds first";
            case IN_PROGRESS -> "nothing to compact: a compaction is already running";
            case SCHEDULED -> "compaction scheduled";
            case FAILED -> "compaction failed: " + outcome.failure().orElse("unknown failure");
        };
    }
}
