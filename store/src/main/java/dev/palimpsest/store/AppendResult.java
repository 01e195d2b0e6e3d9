package dev.palimpsest.store;

import dev.palimpsest.model.Counters;
import dev.palimpsest.model.StoredMessage;
import java.util.List;

/**
 * What an append committed.
 *
 * @param convId        the conversation
 * @param revision      its revision after the append (unchanged if nothing was new)
 * @param messages      the stored message of each requested one, in request order: the new
 *                      message, or the one stored earlier under the same id
 * @param alreadyStored how many of them were stored earlier (a retry after a lost
 *                      acknowledgement); they were not appended again
 * @param counters      the conversation's counters after the append
 */
public record AppendResult(String convId, long revision, List<StoredMessage> messages,
                           int alreadyStored, Counters counters) {
    /**
     * Copies the list.
     *
     * @param convId        the conversation
     * @param revision      its revision after the append
     * @param messages      the stored message of each requested one, in request order
     * @param alreadyStored how many of them were stored earlier
     * @param counters      the conversation's counters after the append
     */
    public AppendResult {
        messages = List.copyOf(messages);
    }

    /** {@return whether every message was stored already, so the append changed nothing} */
    public boolean retried() {
        return alreadyStored == messages.size();
    }
}
