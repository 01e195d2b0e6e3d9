package dev.palimpsest.cli;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.StoreIOException;
import dev.palimpsest.persist.StoreOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest show}: a readable summary of a conversation, or its stored JSON. */
final class ShowCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("show", "Show a stored conversation: a readable summary, "
                + "or with --json the stored state file itself (the fields of docs/format.md).");
        spec.addOption(Specs.flag("--json", "Print the stored state as JSON."));
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        try (ConversationStore store = invocation.session().openStore()) {
            // Loading validates the file (exit 4 if unreadable) before anything is printed.
            Conversation state = store.load(convId);
            if (!state.isStored()) {
                throw CliException.noSuchConversation(convId);
            }
            Path stateFile = store.stateFile(convId);
            if (invocation.flag("--json")) {
                // The state file is the stored state in the documented format: print it as is
                // rather than re-encode it. A concurrent save replaces it atomically, so the
                // bytes read are always one whole valid state.
                byte[] bytes;
                // Links not followed and the read bounded, as the store reads it: the file was
                // a regular file within the limit when it was loaded just now.
                try (InputStream in = Files.newInputStream(stateFile, LinkOption.NOFOLLOW_LINKS)) {
                    bytes = in.readNBytes((int) StoreOptions.DEFAULT_MAX_STATE_BYTES);
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
