package dev.palimpsest.engine;

import dev.palimpsest.model.Round;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A summarizer for tests: it names the rounds it folded ("r1-r3"), remembers each request, and
 * can be made to wait on a latch, so a test can act while a compaction is in flight.
 */
final class RecordingSummarizer implements Summarizer {
    final List<SummaryRequest> requests = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release;
    volatile boolean interrupted;

    private RecordingSummarizer(CountDownLatch release) {
        this.release = release;
    }

    static RecordingSummarizer immediate() {
        return new RecordingSummarizer(new CountDownLatch(0));
    }

    static RecordingSummarizer waitingFor(CountDownLatch release) {
        return new RecordingSummarizer(release);
    }

    @Override
    public String summarize(SummaryRequest request) throws InterruptedException {
        requests.add(request);
        entered.countDown();
        try {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the summarizer");
            }
        } catch (InterruptedException e) {
            interrupted = true;
            throw e;
        }
        List<Round> rounds = request.evictedRounds();
        String folded = "r" + rounds.get(0).seq() + "-r" + request.throughRound();
        return request.previousContext().isEmpty() ? folded
                : request.previousContext() + "," + folded;
    }
}
