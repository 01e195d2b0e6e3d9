package dev.palimpsest.cli;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.file.FileConversationStore;
import java.util.Optional;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palimpsest show}: a readable summary of a conversation, its current state as JSON, or
 * its checkpoint file as stored.
 */
final class ShowCommand implements Subcommand {
    /** The most of a checkpoint {@code --checkpoint} prints: what the launcher can hold. */
    static final long MAX_CHECKPOINT_BYTES = 256L << 20;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("show", "Show a stored conversation: a readable summary; "
                + "with --json its current state (the checkpoint with the log after it "
                + "replayed, in the fields of docs/format.md); with --checkpoint the state file "
                + "as stored, which may be behind the log.");
        spec.addOption(Specs.flag("--json", "Print the current state as JSON, pretty-printed."));
        spec.addOption(Specs.flag("--checkpoint",
                "Print the checkpoint (state file) as stored, byte for byte."));
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        boolean json = invocation.flag("--json");
        boolean checkpoint = invocation.flag("--checkpoint");
        if (json && checkpoint) {
            throw CliException.usage("give --json or --checkpoint, not both");
        }
        try (ConversationStore store = invocation.session().openStoreToRead(convId)) {
            // Loading validates the files (exit 4 if unreadable) before anything is printed.
            ConversationState state = StoredConversations.require(store, convId);
            if (json) {
                StoredJson.state(terminal.out(), state);
            } else if (checkpoint) {
                if (!(store instanceof FileConversationStore files)) {
                    throw CliException.usage("--checkpoint prints the file store's state file;"
                            + " a PostgreSQL store has none ('show --json' prints the state)");
                }
                printCheckpoint(terminal, convId, files.checkpointFile(convId));
            } else {
                StateSummary.print(terminal.out(), state, store instanceof FileConversationStore
                        files ? Optional.of(files.checkpointFile(convId)) : Optional.empty(),
                        invocation.session().storeDisplay());
            }
        }
        return ExitCode.OK;
    }

    private static void printCheckpoint(Terminal terminal, String convId, Path file) {
        byte[] bytes;
        // Links not followed and the read bounded, as the store reads it. A checkpoint is
        // replaced atomically, so the bytes read are always one whole file.
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes((int) MAX_CHECKPOINT_BYTES + 1);
        } catch (NoSuchFileException none) {
            throw new CliException(ExitCode.NO_SUCH_CONVERSATION, "no checkpoint written yet "
                    + "(the state is all in the log); 'palimpsest show --json' prints it", none);
        } catch (IOException e) {
            throw new PalimpsestException(FailureKind.IO, convId, "cannot read " + file + ": "
                    + IoMessages.describe(e), e);
        }
        if (bytes.length > MAX_CHECKPOINT_BYTES) {
            throw new PalimpsestException(FailureKind.TOO_LARGE, convId, "the checkpoint " + file
                    + " is larger than " + Sizes.describe(MAX_CHECKPOINT_BYTES)
                    + "; 'palimpsest show --json' prints the state");
        }
        terminal.out().write(bytes, 0, bytes.length);
        if (bytes.length == 0 || bytes[bytes.length - 1] != '\n') {
            terminal.out().print('\n');
        }
    }
}
