package dev.palimpsest.store.file;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.io.IOException;

/** The store's I/O failures as {@link PalimpsestException}s in the user's terms. */
final class Failures {
    private Failures() {
    }

    /** A failure before anything changed: retrying may succeed. */
    static PalimpsestException io(String convId, String step, IOException e) {
        return new PalimpsestException(FailureKind.IO, convId, (convId == null ? ""
                : "conversation '" + convId + "': ") + "could not " + step + ": " + e, e);
    }

    /** A failure after the change may have reached the disk: read before retrying. */
    static PalimpsestException durabilityUnknown(String convId, String step, IOException e) {
        return new PalimpsestException(FailureKind.DURABILITY_UNKNOWN, convId, "conversation '"
                + convId + "': " + step + " failed after writing began, so the change may or may"
                + " not be stored; load it before retrying: " + e, e);
    }
}
