package dev.palimpsest.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.engine.SummaryRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two engines on one database, as two hosts: while one summarizes a conversation the other
 * pays nothing for it, and the claim is free again once the first committed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Compaction only when asked: keep 4 rounds, never due on its own. */
    private static final CompactionPolicy POLICY = new CompactionPolicy(1_000, 4, 10_000_000);

    /** Counts its calls; the first one waits until released. */
    private static final class CountingSummarizer implements Summarizer {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release;

        CountingSummarizer(int waits) {
            release = new CountDownLatch(waits);
        }

        @Override
        public String summarize(SummaryRequest request) throws InterruptedException {
            calls.incrementAndGet();
            entered.countDown();
            release.await();
            return "summary through round " + request.throughRound();
        }
    }

    @Test
    void oneHostSummarizesAConversationAtATime() throws Exception {
        String schema = TestDatabase.freshSchema();
        PostgresStoreOptions options = PostgresStoreOptions.DEFAULTS.withSchema(schema)
                .withMigrateOnOpen(true);
        CountingSummarizer first = new CountingSummarizer(1);
        CountingSummarizer second = new CountingSummarizer(0);
        try (PostgresConversationStore storeA = TestDatabase.open(TestDatabase.server(), options);
             PostgresConversationStore storeB = TestDatabase.open(TestDatabase.server(), options);
             ConversationEngine hostA = ConversationEngine.builder(storeA).summarizer(first)
                     .policy(POLICY).build();
             ConversationEngine hostB = ConversationEngine.builder(storeB).summarizer(second)
                     .policy(POLICY).build()) {
            for (int i = 1; i <= 12; i++) {
                hostA.appendRound("c", "question " + i, "answer " + i);
            }
            CompletableFuture<CompactionOutcome> a = CompletableFuture.supplyAsync(() -> {
                try {
                    return hostA.compact("c").await(WAIT);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(first.entered.await(30, TimeUnit.SECONDS), "host A summarizes");
            CompactionOutcome b = hostB.compact("c").await(WAIT);
            assertEquals(CompactionOutcome.Status.CLAIMED_ELSEWHERE, b.status());
            assertEquals(0, second.calls.get(), "host B paid nothing");
            first.release.countDown();
            assertEquals(CompactionOutcome.Status.COMMITTED, a.get(60, TimeUnit.SECONDS)
                    .status());
            assertEquals(1, first.calls.get());
            assertTrue(storeB.claimCompaction("c", "someone", Duration.ofSeconds(5)),
                    "host A released its claim");
            storeB.releaseCompaction("c", "someone");
            assertEquals(1, storeB.load("c").orElseThrow().counters().compactions());
        }
    }
}
