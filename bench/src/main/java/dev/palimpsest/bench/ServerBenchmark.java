package dev.palimpsest.bench;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.model.Message;
import dev.palimpsest.server.PalimpsestServer;
import dev.palimpsest.server.ServerLimits;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Figure 9: the HTTP API of {@code palimpsest serve} on loopback against the fairest baseline,
 * the same engine called in-process (what a JVM agent does instead), in the same run: appends
 * (a user message with an id, 1.2 KB, each connection its own conversation, file store with
 * fsync) and context reads (the OpenAI rendering of a 20-round conversation), at 1, 16 and 64
 * concurrent connections (one JDK {@code HttpClient} and one thread each; the server has its
 * default 16 threads). Requests per second and p50/p99 latency per repetition.
 */
final class ServerBenchmark {
    private static final String TOKEN = "bench-token-0123456789abcdef";

    private ServerBenchmark() {
    }

    /** One operation of one client; {@code n} is its ordinal. */
    private interface Operation {
        void run(int client, long n) throws Exception;
    }

    /** What one measured window gave. */
    private record Window(double perSecond, double p50Nanos, double p99Nanos) {
    }

    /**
     * Runs figure 9 and reports it.
     *
     * @param settings the run's size and directories
     * @param report   where the figures go
     * @throws Exception if a step failed
     */
    static void run(Settings settings, Report report) throws Exception {
        Path work = Dirs.fresh(settings.workDir().resolve("server"));
        long millis = settings.pick(1500, 3000);
        int reps = settings.pick(1, 3);
        String text = AppendBenchmark.user(1);
        Map<String, List<Window>> results = new LinkedHashMap<>();
        try (FileConversationStore store = FileConversationStore.open(
                Dirs.fresh(work.resolve("store")), FileStoreOptions.DEFAULTS);
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(CompactionPolicy.DEFAULT).build()) {
            for (int r = 1; r <= 20; r++) {
                engine.append("context-conv", Message.user("question " + r + " " + text),
                        Message.assistant("answer " + r));
            }
            PalimpsestServer server = PalimpsestServer.builder(engine).bearerToken(TOKEN)
                    .limits(ServerLimits.DEFAULT.withThreads(16, 1024)).start();
            try {
                URI base = server.uri();
                AtomicLong run = new AtomicLong();
                HttpClient[] clients = new HttpClient[64];
                for (int c = 0; c < clients.length; c++) {
                    clients[c] = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(10)).build();
                }
                Operation engineAppend = (c, n) -> engine.append("append-" + c,
                        Message.user(text).withId("e" + run.get() + "-" + n));
                Operation httpAppend = (c, n) -> send(clients[c], HttpRequest.newBuilder(
                                base.resolve("conversations/append-" + c + "/messages"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"role\":\"user\","
                                + "\"content\":\"" + text + "\",\"id\":\"h" + run.get() + "-"
                                + n + "\"}")).build(), 201);
                Operation engineContext = (c, n) -> engine.context("context-conv").messages();
                HttpRequest contextRequest = HttpRequest.newBuilder(base.resolve(
                                "conversations/context-conv/context?format=openai"))
                        .header("Authorization", "Bearer " + TOKEN).GET().build();
                Operation httpContext = (c, n) -> send(clients[c], contextRequest, 200);
                Map<String, Operation> contenders = new LinkedHashMap<>();
                contenders.put("9a append, in-process engine", engineAppend);
                contenders.put("9b append, HTTP", httpAppend);
                contenders.put("9c context, in-process engine", engineContext);
                contenders.put("9d context, HTTP", httpContext);
                // Warm-up of every path, then interleaved repetitions.
                for (Operation op : contenders.values()) {
                    window(16, 500, op, run);
                }
                for (int rep = 0; rep < reps; rep++) {
                    for (int connections : new int[] {1, 16, 64}) {
                        for (Map.Entry<String, Operation> e : contenders.entrySet()) {
                            results.computeIfAbsent(e.getKey() + ", " + connections
                                    + (connections == 1 ? " connection" : " connections"),
                                    k -> new ArrayList<>()).add(window(connections, millis,
                                    e.getValue(), run));
                        }
                    }
                }
            } finally {
                server.close();
            }
        }
        List<List<String>> rows = new ArrayList<>();
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Map.Entry<String, List<Window>> e : results.entrySet()) {
            double[] rates = e.getValue().stream().mapToDouble(Window::perSecond).sorted()
                    .toArray();
            double median = rates[rates.length / 2];
            medians.put(e.getKey(), median);
            rows.add(List.of(e.getKey(), String.format(Locale.ROOT, "%.0f", median),
                    String.format(Locale.ROOT, "%.0f-%.0f", rates[0], rates[rates.length - 1]),
                    join(e.getValue(), w -> Report.micros(w.p50Nanos())),
                    join(e.getValue(), w -> Report.micros(w.p99Nanos()))));
        }
        report.section("9. The HTTP API against the in-process engine",
                "Requests per second over " + millis / 1000.0 + " s windows, " + reps
                        + " interleaved repetition(s) after a warm-up; median and range of the"
                        + " rate, p50 and p99 latency of each repetition. Loopback, bearer"
                        + " token checked, file store with fsync, server with 16 threads.",
                List.of("contender", "median req/s", "range", "p50 per repetition",
                        "p99 per repetition"), rows);
        List<List<String>> ratios = new ArrayList<>();
        for (String op : new String[] {"append", "context"}) {
            for (int connections : new int[] {1, 16, 64}) {
                String suffix = ", " + connections + (connections == 1 ? " connection"
                        : " connections");
                String engineKey = (op.equals("append") ? "9a" : "9c") + " " + op
                        + ", in-process engine" + suffix;
                String httpKey = (op.equals("append") ? "9b" : "9d") + " " + op + ", HTTP"
                        + suffix;
                ratios.add(List.of(op + suffix, Report.ratio(medians.get(httpKey)
                        / medians.get(engineKey))));
            }
        }
        report.section("9. HTTP throughput as a share of the in-process engine's",
                "Medians of the run above: HTTP req/s divided by in-process calls/s.",
                List.of("operation", "HTTP / in-process"), ratios);
    }

    private static String join(List<Window> windows,
                               java.util.function.Function<Window, String> f) {
        return windows.stream().map(f).reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static void send(HttpClient client, HttpRequest request, int status)
            throws Exception {
        HttpResponse<byte[]> response = client.send(request,
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != status) {
            throw new BenchException("the server answered " + response.statusCode() + " to "
                    + request.uri() + ": " + new String(response.body(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Runs {@code op} on {@code threads} clients for {@code millis}; its rate and latencies. */
    private static Window window(int threads, long millis, Operation op, AtomicLong run)
            throws Exception {
        run.incrementAndGet();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[][] latencies = new long[threads][];
        int[] counts = new int[threads];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int client = t;
            latencies[t] = new long[1 << 16];
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (long n = 0; !stop.get(); n++) {
                        long began = System.nanoTime();
                        op.run(client, n);
                        long took = System.nanoTime() - began;
                        if (counts[client] == latencies[client].length) {
                            latencies[client] = Arrays.copyOf(latencies[client],
                                    latencies[client].length * 2);
                        }
                        latencies[client][counts[client]++] = took;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-client-" + t);
            workers.add(worker);
            worker.start();
        }
        long began = System.nanoTime();
        start.countDown();
        Thread.sleep(millis);
        stop.set(true);
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        if (failure.get() != null) {
            throw new BenchException("a client failed: " + failure.get(), failure.get());
        }
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        return new Window(total / seconds, all[Math.min(total - 1, total / 2)],
                all[Math.min(total - 1, (int) (total * 0.99))]);
    }
}
