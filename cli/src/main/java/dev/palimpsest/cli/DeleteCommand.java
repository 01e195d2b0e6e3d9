package dev.palimpsest.cli;

import dev.palimpsest.store.ConversationStore;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest delete}: erases a conversation: its log, head, index, checkpoint and copies. */
final class DeleteCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("delete", "Erase a conversation: its log segments, head, "
                + "index, checkpoint, any quarantined copy, and its words in the recall index "
                + "(on a PostgreSQL store: its rows); the id starts empty again.");
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        String convId = invocation.id();
        try (ConversationStore store = invocation.session().openStoreToRead(convId)) {
            boolean existed = store.delete(convId);
            // Erased from the recall index too, even if the store had nothing (an earlier
            // delete may have stopped before it); a root without an index loads no Lucene.
            if (Recalls.exists(invocation.session(), store)) {
                Recalls.erase(invocation.session(), store, convId);
            }
            if (!existed) {
                throw CliException.noSuchConversation(convId);
            }
            invocation.terminal().out().println("deleted " + Text.quote(convId));
        }
        return ExitCode.OK;
    }
}
