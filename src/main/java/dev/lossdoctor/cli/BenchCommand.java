package dev.lossdoctor.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lossdoctor.bench.Benchmark;
import dev.lossdoctor.bench.Benchmark.Report;
import dev.lossdoctor.bench.Benchmark.ScaleStep;
import dev.lossdoctor.bench.Benchmark.Throughput;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench}: throughput against a pass-through topology, latency and scale, on an embedded broker. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmarks the service on an embedded Kafka broker, in one run: throughput of the full topology "
                + "and of a pass-through one (same broker, input, partitions, exactly_once_v2) and their ratio; "
                + "end-to-end latency (produced -> diagnosis consumed, read_committed) at half the measured maximum rate; "
                + "and throughput, state bytes and heap with many live runs.",
                "Progress goes to stderr; the results to stdout, as a table or (--json) one JSON object.", ""})
final class BenchCommand implements Callable<Integer> {

    static final long QUICK_EVENTS = 100_000;
    static final int QUICK_RUNS = 1_000;
    static final int QUICK_REPEATS = 2;
    static final int QUICK_LATENCY_SECONDS = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "1000000", paramLabel = "N", description = "Events for the throughput phase (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--runs", defaultValue = "6000", paramLabel = "N", description = "Runs in the throughput and latency input, a quarter of them live at a time (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--partitions", defaultValue = "4", paramLabel = "N", description = "Partitions of the input (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Stream threads, in every topology (default ${DEFAULT-VALUE}, as the service's: kafka.num.stream.threads).")
    int threads;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N", description = "Pass-through and full runs, alternated; the best of each counts (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--latency-seconds", defaultValue = "20", paramLabel = "S", description = "How long to measure latency (default ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--latency-rate", paramLabel = "EVENTS_PER_S", description = "Rate of the latency phase (default: half the best full-topology rate).")
    double latencyRate;

    @Option(names = "--scale", defaultValue = "1000,100000", split = ",", paramLabel = "RUNS[,RUNS...]",
            description = "Live-run counts of the scale steps (default ${DEFAULT-VALUE}; add 1000000 for the million step, "
                    + "about 3 minutes more here; 0 skips the scale steps).")
    List<Integer> scale;

    @Option(names = "--scale-events", defaultValue = "500000", paramLabel = "N", description = "Metrics events measured in each scale step (default ${DEFAULT-VALUE}).")
    long scaleEvents;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the generated input (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A service setting for every topology, as in the "
            + "config file (e.g. state.store=memory or kafka.num.stream.threads=2); repeatable.")
    java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();

    @Option(names = "--quick", description = "A short run (under 3 minutes here) with the same report: "
            + QUICK_EVENTS + " events, " + QUICK_REPEATS + " repeats, " + QUICK_LATENCY_SECONDS
            + " s of latency, no scale steps. A flag given beside it still wins.")
    boolean quick;

    @Option(names = "--json", description = "Print the results as one JSON object.")
    boolean json;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON results to FILE.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (events < 1 || runs < 1 || partitions < 1 || threads < 1 || repeats < 1 || latencySeconds < 3 || scaleEvents < 1
                || latencyRate < 0) {
            throw new LossDoctor.UserError("--events, --runs, --partitions, --threads, --repeats and --scale-events must be "
                    + "positive, --latency-seconds at least 3, --latency-rate not negative", 2);
        }
        quietLogs();
        PrintWriter err = spec.commandLine().getErr();
        Benchmark.Options options = options();
        Report report;
        try (Benchmark bench = new Benchmark(options, line -> {
            err.println(line);
            err.flush();
        })) {
            report = bench.run();
        }
        JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        String asJson = mapper.writeValueAsString(report);
        if (out != null) {
            Files.writeString(out, asJson + System.lineSeparator());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(json ? asJson : table(report));
        stdout.flush();
        return 0;
    }

    /** The options as given, with --quick's values for the ones not given. */
    Benchmark.Options options() {
        boolean quickEvents = quick && !given("--events");
        long eventCount = quickEvents ? QUICK_EVENTS : events;
        int runCount = quick && !given("--runs") ? QUICK_RUNS : runs;
        int repeatCount = quick && !given("--repeats") ? QUICK_REPEATS : repeats;
        int latency = quick && !given("--latency-seconds") ? QUICK_LATENCY_SECONDS : latencySeconds;
        List<Integer> steps = quick && !given("--scale") ? List.of() : scale.stream().filter(n -> n > 0).toList();
        return new Benchmark.Options(partitions, threads, eventCount, runCount, repeatCount, latency, latencyRate, steps,
                scaleEvents, seed, java.util.Map.copyOf(settings));
    }

    private boolean given(String flag) {
        return spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(flag);
    }

    /** The broker and the clients log a lot at INFO; the progress lines are what a bench run shows. */
    private static void quietLogs() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
            context.getLogger("state.change.logger").setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    static String table(Report r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Loss Doctor benchmark, %s%n", r.at()));
        b.append(String.format(Locale.ROOT, "Machine: %d cores, %s, %s, max heap %,d MB, load average at start %.1f%n",
                r.machine().cores(), r.machine().jvm(), r.machine().os(), r.machine().maxHeapBytes() >> 20,
                r.machine().loadAverageAtStart()));
        b.append(String.format(Locale.ROOT, "Input: %,d events of %,d runs, %d partitions, %d stream thread(s), exactly_once_v2%s%n%n",
                r.options().events(), r.options().runs(), r.options().partitions(), r.options().threads(),
                r.options().settings().isEmpty() ? "" : ", settings " + r.options().settings()));
        b.append(String.format(Locale.ROOT, "%-28s %14s%n", "Throughput", "events/s"));
        for (int i = 0; i < r.full().size(); i++) {
            b.append(row("pass-through #" + (i + 1), r.passThrough().get(i)));
            b.append(row("count per key #" + (i + 1), r.countPerKey().get(i)));
            b.append(row("full topology #" + (i + 1), r.full().get(i)));
        }
        b.append(String.format(Locale.ROOT, "%-28s %14.2f   (best full / best pass-through; target >= 0.70)%n", "ratio", r.ratio()));
        b.append(String.format(Locale.ROOT, "%-28s %14.2f   (best count per key / best pass-through: the price of state alone)%n",
                "count-per-key ratio", r.countPerKeyRatio()));
        b.append(String.format(Locale.ROOT, "%n%-28s", "CPU per event (µs), best"));
        r.full().get(0).cpuMicrosPerEvent().keySet().forEach(kind -> b.append(String.format(Locale.ROOT, " %19s", kind)));
        b.append(String.format(Locale.ROOT, "%n"));
        b.append(cpuRow("  pass-through", best(r.passThrough())));
        b.append(cpuRow("  count per key", best(r.countPerKey())));
        b.append(cpuRow("  full topology", best(r.full())));
        b.append(String.format(Locale.ROOT, "%n"));
        if (r.state() != null) {
            b.append(String.format(Locale.ROOT, "%-28s %14.0f   (max %,d B, %,d runs; target <= 2048)%n",
                    "state bytes per run", r.state().averageBytes(), r.state().maxBytes(), r.state().runs()));
        }
        b.append(String.format(Locale.ROOT, "%n%-28s %8s %8s %8s %8s %9s%n", r.options().latencyRate() > 0 ? "Latency (ms)" : "Latency at half max (ms)", "p50", "p90", "p99", "max", "samples"));
        b.append(String.format(Locale.ROOT, "%-28s %,.0f events/s for %.0f s%n", "  rate", r.latency().achievedRate(), r.latency().seconds()));
        b.append(latencyRow("  produced -> diagnosis", r.latency().diagnoses()));
        b.append(latencyRow("  produced -> run status", r.latency().statuses()));
        if (!r.scale().isEmpty()) {
            b.append(String.format(Locale.ROOT, "%n%-12s %12s %14s %14s %16s %12s %10s%n", "Live runs", "events/s", "store B/run",
                    "RocksDB B/run", "changelog B/run", "heap MB", "heap B/run"));
            for (ScaleStep s : r.scale()) {
                b.append(String.format(Locale.ROOT, "%,-12d %,12.0f %14.0f %14.0f %16.0f %12d %10.0f%n", s.liveRuns(),
                        s.eventsPerSecond(), s.valueBytesPerRun(), s.storeBytesPerRun(), s.changelogBytesPerRun(),
                        s.heapBytes() >> 20, s.heapBytesPerRun()));
            }
            ScaleStep first = r.scale().get(0);
            ScaleStep last = r.scale().get(r.scale().size() - 1);
            b.append(String.format(Locale.ROOT, "throughput at %,d runs / at %,d runs: %.2f (target >= 0.80)%n", last.liveRuns(),
                    first.liveRuns(), last.eventsPerSecond() / first.eventsPerSecond()));
        }
        return b.toString();
    }

    private static String row(String name, Throughput t) {
        return String.format(Locale.ROOT, "%-28s %,14.0f   (%,d events in %.2f s: the middle 80%%)%n", name, t.eventsPerSecond(), t.events(), t.seconds());
    }

    private static Throughput best(java.util.List<Throughput> rounds) {
        return rounds.stream().max(java.util.Comparator.comparingDouble(Throughput::eventsPerSecond)).orElseThrow();
    }

    private static String cpuRow(String name, Throughput t) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-28s", name));
        t.cpuMicrosPerEvent().values().forEach(micros -> b.append(String.format(Locale.ROOT, " %19.2f", micros)));
        return b.append(String.format(Locale.ROOT, "   (total %.2f)%n",
                t.cpuMicrosPerEvent().values().stream().mapToDouble(Double::doubleValue).sum())).toString();
    }

    private static String latencyRow(String name, Benchmark.Percentiles p) {
        return String.format(Locale.ROOT, "%-28s %8.0f %8.0f %8.0f %8.0f %,9d%n", name, p.p50(), p.p90(), p.p99(), p.max(), p.samples());
    }
}
