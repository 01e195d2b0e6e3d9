package dev.palimpsest.store.file;

import dev.palimpsest.model.StoredMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a store knows of one conversation's message ids: the hashes the id index held when it
 * was read (complete through {@link #hashedThrough()}, each only a candidate to check against
 * the log), and every id after that exactly, read from the log's tail or appended since.
 */
final class KnownIds {
    private final Map<String, StoredMessage> exact = new HashMap<>();
    private final IdIndex.HashedIds hashed;
    private final long hashedThrough;

    KnownIds(IdIndex.HashedIds hashed, long hashedThrough) {
        this.hashed = hashed;
        this.hashedThrough = hashedThrough;
    }

    /** {@return ids known exactly from the first message on}: a new conversation's, or a scan's */
    static KnownIds exactOnly() {
        return new KnownIds(IdIndex.HashedIds.NONE, 0);
    }

    /** {@return the seq through which the hashes are complete; every id after it is exact} */
    long hashedThrough() {
        return hashedThrough;
    }

    /** Adds the ids of messages read from the log or appended, past {@link #hashedThrough()}. */
    void add(List<StoredMessage> messages) {
        for (StoredMessage m : messages) {
            if (m.seq() > hashedThrough) {
                m.message().id().ifPresent(id -> exact.put(id, m));
            }
        }
    }

    /** Keeps a message found through its hash, so that it is not looked up again. */
    void remember(String id, StoredMessage m) {
        exact.put(id, m);
    }

    /** {@return the message known exactly under this id, or null} */
    StoredMessage exact(String id) {
        return exact.get(id);
    }

    /** {@return the seqs whose id may be this one, by hash; none if it is known exactly} */
    long[] candidates(String id) {
        return hashed.size() == 0 ? new long[0] : hashed.candidates(IdIndex.hash(id));
    }

    /**
     * {@return the index entries of the ids known exactly with a seq in {@code after + 1 ..
     * through}, in seq order}: what a batch of the id index holds, when
     * {@code after >= hashedThrough()}
     */
    List<IdIndex.Entry> entries(long after, long through) {
        List<StoredMessage> in = new ArrayList<>();
        for (Map.Entry<String, StoredMessage> e : exact.entrySet()) {
            long seq = e.getValue().seq();
            if (seq > after && seq <= through) {
                in.add(e.getValue());
            }
        }
        in.sort(Comparator.comparingLong(StoredMessage::seq));
        List<IdIndex.Entry> out = new ArrayList<>(in.size());
        for (StoredMessage m : in) {
            out.add(new IdIndex.Entry(IdIndex.hash(m.message().id().orElseThrow()), m.seq()));
        }
        return out;
    }

    /** {@return every entry known: the hashes read and the ids after them} */
    List<IdIndex.Entry> allEntries(long through) {
        List<IdIndex.Entry> out = new ArrayList<>(hashed.entries());
        out.addAll(entries(hashedThrough, through));
        return out;
    }
}
