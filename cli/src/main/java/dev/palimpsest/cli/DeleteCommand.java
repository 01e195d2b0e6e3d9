package dev.palimpsest.cli;

import dev.palimpsest.persist.ConversationStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code palimpsest delete}: deletes a conversation's state file and archive. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a conversation's state file and archive; the id starts empty again.")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    PalimpsestCommand top;

    @Parameters(index = "0", paramLabel = "ID", description = "The conversation id.")
    String convId;

    @Override
    public Integer call() {
        try (ConversationStore store = top.openStore()) {
            if (!store.delete(convId)) {
                throw CliException.noSuchConversation(convId);
            }
            top.terminal().out().println("deleted " + Text.quote(convId));
        }
        return ExitCode.OK;
    }
}
