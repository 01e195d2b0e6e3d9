package dev.palimpsest.cli;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code palimpsest show}: a readable summary of a conversation, or its stored JSON. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Show a stored conversation: a readable summary, or with --json the "
                + "stored state file itself (the fields of docs/format.md)."})
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    PalimpsestCommand top;

    @Option(names = "--json", description = "Print the stored state as JSON.")
    boolean json;

    @Parameters(index = "0", paramLabel = "ID", description = "The conversation id.")
    String convId;

    @Override
    public Integer call() {
        Terminal terminal = top.terminal();
        try (ConversationStore store = top.openStore()) {
            // Loading validates the file (exit 4 if unreadable) before anything is printed.
            Conversation state = store.load(convId);
            if (!state.isStored()) {
                throw CliException.noSuchConversation(convId);
            }
            Path stateFile = store.stateFile(convId);
            if (json) {
                // The state file is the stored state in the documented format: print it as is
                // rather than re-encode it. A concurrent save replaces it atomically, so the
                // bytes read are always one whole valid state.
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(stateFile);
                } catch (NoSuchFileException deletedMeanwhile) {
                    throw CliException.noSuchConversation(convId);
                } catch (IOException e) {
                    throw new StoreIOException(convId, StoreIOException.Step.READ, stateFile, e);
                }
                terminal.out().write(bytes, 0, bytes.length);
                if (bytes.length == 0 || bytes[bytes.length - 1] != '\n') {
                    terminal.out().print('\n');
                }
            } else {
                StateSummary.print(terminal.out(), state, stateFile, store.archiveFile(convId));
            }
        }
        return ExitCode.OK;
    }
}
