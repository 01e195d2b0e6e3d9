package dev.palimpsest.recall.lucene;

import dev.palimpsest.model.StoredMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * A throw-away index of the messages past the marks, for one search by a process that does not
 * hold the index. Small tails are indexed in memory; one whose words pass
 * {@link #IN_MEMORY_CHARS} goes to a temporary directory instead, so that a search never holds
 * more than that much of a long unindexed log in the heap.
 */
final class TailIndex implements AutoCloseable {
    /** The most chars of words a tail keeps in memory before it moves to a temporary directory. */
    static final long IN_MEMORY_CHARS = 4L << 20;

    private final Analyzer analyzer;
    private final List<Document> buffered = new ArrayList<>();
    private long bufferedChars;
    private Directory directory;
    private Path tempDir;
    private IndexWriter writer;
    private DirectoryReader reader;

    TailIndex(Analyzer analyzer) {
        this.analyzer = analyzer;
    }

    void add(String convId, StoredMessage message) throws IOException {
        Document doc = MessageDocs.message(convId, message);
        if (writer != null) {
            writer.addDocument(doc);
            return;
        }
        buffered.add(doc);
        bufferedChars += message.message().content().length();
        if (bufferedChars > IN_MEMORY_CHARS) {
            tempDir = Files.createTempDirectory("palimpsest-recall-tail");
            start(FSDirectory.open(tempDir));
        }
    }

    /** Ends the adding: {@link #reader()} is the tail, or null if it is empty. */
    void open() throws IOException {
        if (writer == null) {
            if (buffered.isEmpty()) {
                return;
            }
            start(new ByteBuffersDirectory());
        }
        // A reader on the writer sees every document without a commit: nothing is forced to
        // disk for an index that lives one search.
        reader = DirectoryReader.open(writer);
    }

    private void start(Directory dir) throws IOException {
        directory = dir;
        writer = new IndexWriter(dir, new IndexWriterConfig(analyzer).setCommitOnClose(false));
        for (Document doc : buffered) {
            writer.addDocument(doc);
        }
        buffered.clear();
    }

    DirectoryReader reader() {
        return reader;
    }

    @Override
    public void close() throws IOException {
        try {
            if (reader != null) {
                reader.close();
            }
            if (writer != null) {
                writer.rollback();
            }
            if (directory != null) {
                directory.close();
            }
        } finally {
            if (tempDir != null) {
                try (Stream<Path> files = Files.walk(tempDir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
