package dev.palimpsest.engine;

import dev.palimpsest.engine.summarizer.ExtractiveSummarizer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The extractive summarizer behind a switch: while failing, every call throws an exception whose
 * message must never reach a stored context.
 */
final class SwitchableSummarizer implements Summarizer {
    static final String ERROR_TEXT = "MODEL-ERROR-TEXT overloaded";

    private final Summarizer working;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicInteger calls = new AtomicInteger();

    SwitchableSummarizer(int budget) {
        this.working = ExtractiveSummarizer.withBudget(budget);
    }

    void failing(boolean value) {
        failing.set(value);
    }

    int calls() {
        return calls.get();
    }

    @Override
    public String summarize(SummaryRequest request) {
        calls.incrementAndGet();
        if (failing.get()) {
            throw new IllegalStateException(ERROR_TEXT);
        }
        return working.summarize(request);
    }
}
