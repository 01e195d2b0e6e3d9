package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.persist.ConversationStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code palimpsest compact}: folds the oldest rounds into the compressed context now. */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Compact a conversation now: fold its oldest rounds into the compressed "
                + "context until --keep-rounds remain, whatever the limits say.",
                "Exit 7 if the summarizer fails (the rounds then stay verbatim)."})
final class CompactCommand implements Callable<Integer> {
    @ParentCommand
    PalimpsestCommand top;

    @Mixin
    PolicyOptions policy;

    @Parameters(index = "0", paramLabel = "ID", description = "The conversation id.")
    String convId;

    @Override
    public Integer call() {
        Terminal terminal = top.terminal();
        LauncherConfig config = top.config();
        try (ConversationStore store = top.openStore()) {
            ConversationEngine engine = PalimpsestCommand.engine(store, policy.policy(config),
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
                    + " rounds folded into the compressed context";
            case NOT_NEEDED -> "nothing to compact: no more than " + keepRounds
                    + " recent rounds";
            case DROPPED -> "nothing to compact: another process compacted these rounds first";
            case IN_PROGRESS -> "nothing to compact: a compaction is already running";
            case SCHEDULED -> "compaction scheduled";
            case FAILED -> "compaction failed: " + outcome.failure().orElse("unknown failure");
        };
    }
}
