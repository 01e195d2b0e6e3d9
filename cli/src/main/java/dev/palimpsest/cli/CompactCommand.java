package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.store.ConversationStore;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest compact}: folds the oldest rounds into the compressed context now. */
final class CompactCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("compact", "Compact a conversation now: fold its oldest "
                + "closed rounds into the compressed context until --keep-rounds remain, "
                + "whatever the limits say.",
                "Exit 7 if the summarizer fails (the rounds then stay verbatim).");
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
        try (ConversationStore store = invocation.session().openStoreToRead(convId);
             ConversationEngine engine = Session.engine(store, policy.policy(config),
                     policy.summarizer(config, terminal.env()))) {
            StoredConversations.require(store, convId);
            // Without an executor the engine compacts in this thread: the handle is done.
            CompactionOutcome outcome = engine.compact(convId).outcome().orElseThrow();
            if (outcome.status() == CompactionOutcome.Status.FAILED) {
                throw outcome.failure().orElseThrow();
            }
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
                    + " recent closed rounds";
            case DROPPED -> "nothing to compact: another process compacted these rounds first";
            case CANCELLED -> "compaction cancelled";
            case CLAIMED_ELSEWHERE -> "nothing done: another engine holds the claim on this"
                    + " conversation's compaction and summarizes it";
            case FAILED -> "compaction failed: " + outcome.failure().map(Throwable::getMessage)
                    .orElse("unknown failure");
        };
    }
}
