package dev.palimpsest.cli;

import dev.palimpsest.persist.ConversationStore;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest delete}: deletes a conversation's state file and archive. */
final class DeleteCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("delete",
                "Delete a conversation's state file and archive; the id starts empty again.");
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        String convId = invocation.id();
        try (ConversationStore store = invocation.session().openStore()) {
            if (!store.delete(convId)) {
                throw CliException.noSuchConversation(convId);
            }
            invocation.terminal().out().println("deleted " + Text.quote(convId));
        }
        return ExitCode.OK;
    }
}
