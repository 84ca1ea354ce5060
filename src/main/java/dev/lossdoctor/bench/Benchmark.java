package dev.lossdoctor.bench;

import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStateCodec;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.DiagnosisMeters;
import dev.lossdoctor.streams.AnalysisMetrics;
import dev.lossdoctor.streams.LossDoctorTopology;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One benchmark run on an embedded broker: throughput of the full topology against a pass-through
 * one (same broker, input, partitions, exactly-once), end-to-end latency at half the measured
 * maximum rate, and the cost of many live runs. Both topologies run with the service's own Kafka
 * Streams settings ({@link AppConfig#streamsProperties}).
 */
public final class Benchmark implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Benchmark.class);
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(30);

    /** What to measure. */
    /** @param settings service settings over the defaults, in every topology (e.g. {@code state.store}, {@code kafka.num.stream.threads}) */
    /** @param latencyRate events/s for the latency phase; 0: half the best full-topology rate */
    public record Options(int partitions, int threads, long events, int runs, int repeats, int latencySeconds, double latencyRate,
                          List<Integer> scaleRuns, long scaleEvents, long seed, Map<String, String> settings) {
    }

    /**
     * @param events the events measured: the middle 80 % of the input (see {@code awaitThroughput})
     * @param cpuMicrosPerEvent CPU time of the JVM's threads over the whole round, per input event, by kind (see {@link ThreadCpu})
     */
    public record Throughput(String topology, long events, double seconds, double eventsPerSecond,
                             Map<String, Double> cpuMicrosPerEvent) {
    }

    /** Milliseconds from the input record's production to the output record's consumption (read_committed). */
    public record Percentiles(long samples, double p50, double p90, double p99, double max) {
        static Percentiles of(long[] ms, int n) {
            if (n == 0) {
                return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            long[] sorted = Arrays.copyOf(ms, n);
            Arrays.sort(sorted);
            return new Percentiles(n, at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99), sorted[n - 1]);
        }

        private static double at(long[] sorted, double q) {
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
        }
    }

    public record Latency(double targetRate, double achievedRate, double seconds, Percentiles diagnoses, Percentiles statuses) {
    }

    /**
     * One scale step: {@code liveRuns} runs in the store, then {@code measuredEvents} metrics spread
     * at random over them.
     *
     * @param valueBytesPerRun key and encoded state of a run, as the store holds them (average)
     * @param storeBytesPerRun the RocksDB files (SST, after close) over the runs
     * @param changelogBytesPerRun the changelog partitions on the broker over the runs (before compaction)
     * @param heapBytes heap used (after GC) with the streams running, over the baseline before they started
     */
    public record ScaleStep(int liveRuns, long loadEvents, long measuredEvents, double seconds, double eventsPerSecond,
                            double valueBytesPerRun, double storeBytesPerRun, double changelogBytesPerRun,
                            long heapBytes, double heapBytesPerRun) {
    }

    /** The state of the runs at the end of the throughput phase (windows full for most of them). */
    public record StateSize(long runs, double averageBytes, long maxBytes) {
    }

    public record Machine(int cores, String jvm, String os, long maxHeapBytes, double loadAverageAtStart) {
        static Machine current() {
            Runtime rt = Runtime.getRuntime();
            return new Machine(rt.availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"), rt.maxMemory(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /**
     * @param ratio best full / best pass-through
     * @param countPerKeyRatio best count-per-key / best pass-through: what keeping state at all costs
     */
    public record Report(String at, Machine machine, Options options, List<Throughput> passThrough,
                         List<Throughput> countPerKey, List<Throughput> full, double ratio, double countPerKeyRatio,
                         StateSize state, Latency latency, List<ScaleStep> scale) {
    }

    private final Options options;
    private final Path workDir;
    private final Consumer<String> progress;
    private EmbeddedKafkaBroker broker;
    private Admin admin;
    private int phase;

    public Benchmark(Options options, Consumer<String> progress) {
        this.options = options;
        this.progress = progress;
        try {
            this.workDir = Files.createTempDirectory("loss-doctor-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Report run() throws Exception {
        Machine machine = Machine.current();
        progress.accept("Starting the embedded Kafka broker");
        broker = EmbeddedKafkaBroker.start();
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        admin = Admin.create(ap);

        // throughput: the same input for both topologies, alternating, best of the repeats
        String input = "bench-input";
        createTopics(options.partitions(), input);
        progress.accept(String.format(Locale.ROOT, "Producing %,d events of %,d runs to %s (%d partitions)",
                options.events(), options.runs(), input, options.partitions()));
        TrainingTraffic traffic = new TrainingTraffic(options.seed(), Instant.now().minusSeconds(305), "bench-run");
        produce(input, out -> traffic.fleet(options.runs(), liveRuns(), 50, 300, options.events(), out::accept), null);

        List<Throughput> passThrough = new ArrayList<>();
        List<Throughput> countPerKey = new ArrayList<>();
        List<Throughput> full = new ArrayList<>();
        StateSize state = null;
        for (int i = 0; i < options.repeats(); i++) {
            passThrough.add(yardstick("pass-through", PassThroughTopology::build, input));
            countPerKey.add(yardstick("count-per-key", CountPerKeyTopology::build, input));
            Measured m = full(input);
            full.add(m.throughput());
            state = m.state();
        }
        double ratio = best(full) / best(passThrough);
        progress.accept(String.format(Locale.ROOT, "Ratio full / pass-through: %.2f (count per key / pass-through: %.2f)",
                ratio, best(countPerKey) / best(passThrough)));

        Latency latency = latency(options.latencyRate() > 0 ? options.latencyRate() : best(full) / 2);
        List<ScaleStep> scale = new ArrayList<>();
        for (int runs : options.scaleRuns()) {
            scale.add(scale(runs));
        }
        return new Report(Instant.now().toString(), machine, options, passThrough, countPerKey, full, ratio,
                best(countPerKey) / best(passThrough), state, latency, scale);
    }

    /** Runs live at a time in the throughput and latency input: a quarter of them. */
    private int liveRuns() {
        return Math.max(1, options.runs() / 4);
    }

    private static double best(List<Throughput> t) {
        return t.stream().mapToDouble(Throughput::eventsPerSecond).max().orElse(Double.NaN);
    }

    // ---- phases

    /** A yardstick topology from the input to an output topic of its own, with the service's settings. */
    private Throughput yardstick(String name, java.util.function.BiFunction<String, String, Topology> topology, String input)
            throws Exception {
        String app = "bench-" + name + "-" + (++phase);
        String output = app + "-out";
        createTopics(options.partitions(), output);
        Properties props = config(app, "unused-" + app).streamsProperties(null);
        progress.accept("Topology " + name + ": " + app);
        ThreadCpu cpu = new ThreadCpu();
        try (Running r = start(topology.apply(input, output), props)) {
            return r.awaitThroughput(input, name, cpu);
        }
    }

    private record Measured(Throughput throughput, StateSize state) {
    }

    /**
     * The meters the service keeps per event (diagnoses, runs by diagnosis, per-run gauges), bound
     * to a Prometheus registry as the service binds them: the full topology is measured doing what
     * the service does, its metrics included.
     */
    private static AnalysisMetrics serviceMeters(AppConfig config) {
        DiagnosisMeters meters = new DiagnosisMeters(config.maxRunGauges());
        meters.bindTo(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        return meters;
    }

    /** The full topology over the input, and the size of its runs' states at the end. */
    private Measured full(String input) throws Exception {
        String app = "bench-full-" + (++phase);
        AppConfig config = config(app, input);
        createTopics(options.partitions(), config.topics().diagnoses().name(), config.topics().status().name(),
                config.topics().dlq().name());
        progress.accept("Full topology: " + app);
        Topology topology = LossDoctorTopology.build(config.topologyConfig(serviceMeters(config)));
        ThreadCpu cpu = new ThreadCpu();
        try (Running r = start(topology, config.streamsProperties(null))) {
            Throughput t = r.awaitThroughput(input, "full", cpu);
            long[] sizes = r.stateSizes();
            return new Measured(t, new StateSize(sizes.length, Arrays.stream(sizes).average().orElse(Double.NaN),
                    Arrays.stream(sizes).max().orElse(0)));
        }
    }

    private Latency latency(double rate) throws Exception {
        String app = "bench-latency";
        String input = app + "-input";
        AppConfig config = config(app, input);
        createTopics(options.partitions(), input, config.topics().diagnoses().name(), config.topics().status().name(),
                config.topics().dlq().name());
        progress.accept(String.format(Locale.ROOT, "Latency at %,.0f events/s for %d s", rate, options.latencySeconds()));
        Topology topology = LossDoctorTopology.build(config.topologyConfig(serviceMeters(config)));
        try (Running r = start(topology, config.streamsProperties(null))) {
            r.awaitRunning();
            long warmupUntil = System.currentTimeMillis() + 2_000;
            LatencyRecorder diagnoses = new LatencyRecorder(warmupUntil);
            LatencyRecorder statuses = new LatencyRecorder(warmupUntil);
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> readLatencies(config, diagnoses, statuses, stop), "bench-latency-reader");
            reader.start();
            TrainingTraffic traffic = new TrainingTraffic(options.seed() + 1, Instant.now(), "latency-run");
            long total = (long) (rate * options.latencySeconds());
            // made before the clock starts: writing JSON is not the service's work, and the cores are shared
            List<TrainingTraffic.Event> events = new ArrayList<>((int) total);
            traffic.fleet(Integer.MAX_VALUE / 2, liveRuns(), 50, 300, total, events::add);
            long started = System.nanoTime();
            double intervalNanos = 1e9 / rate;
            produce(input, out -> {
                for (int i = 0; i < events.size(); i++) {
                    long wait = started + (long) (i * intervalNanos) - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    out.accept(events.get(i));
                }
            }, null, true);
            double seconds = (System.nanoTime() - started) / 1e9;
            r.awaitConsumed(input, Map.of(), null);
            Thread.sleep(500); // the last transaction's outputs
            stop.set(true);
            reader.join(10_000);
            Latency l = new Latency(rate, total / seconds, seconds, diagnoses.percentiles(), statuses.percentiles());
            progress.accept(String.format(Locale.ROOT, "  diagnoses p50 %.0f ms, p99 %.0f ms (%d samples); statuses p50 %.0f ms, p99 %.0f ms",
                    l.diagnoses().p50(), l.diagnoses().p99(), l.diagnoses().samples(), l.statuses().p50(), l.statuses().p99()));
            return l;
        }
    }

    private ScaleStep scale(int runs) throws Exception {
        String app = "bench-scale-" + runs;
        String input = app + "-input";
        AppConfig config = config(app, input).with(AppConfig.MAX_LIVE_RUNS, Integer.toString(Math.max(runs * 2, 1000)));
        createTopics(options.partitions(), input, config.topics().diagnoses().name(), config.topics().status().name(),
                config.topics().dlq().name());
        progress.accept(String.format(Locale.ROOT, "Scale: %,d live runs, then %,d events over them", runs, options.scaleEvents()));
        // load: every run started and one point in; then the measured metrics, spread at random over the runs
        Map<Integer, Long> loadEnd = new HashMap<>();
        long start = Instant.now().toEpochMilli();
        produce(input, out -> {
            for (int i = 0; i < runs; i++) {
                String id = scaleRunId(runs, i);
                out.accept(new TrainingTraffic.Event(id, started(id, start), start));
                out.accept(ScalePoints.event(id, i, 1, start));
            }
        }, (partition, offset) -> loadEnd.merge(partition, offset + 1, Math::max));
        long loadEvents = 2L * runs;
        produce(input, out -> {
            int[] epochs = new int[runs];
            SplittableRandom random = new SplittableRandom(options.seed() + runs);
            for (long n = 0; n < options.scaleEvents(); n++) {
                int i = random.nextInt(runs);
                int epoch = 2 + epochs[i]++;
                out.accept(ScalePoints.event(scaleRunId(runs, i), i, epoch, start));
            }
        }, null);
        gc();
        long heapBefore = heapUsed();
        try (Running r = start(LossDoctorTopology.build(config.topologyConfig(serviceMeters(config))), config.streamsProperties(null))) {
            long[] loaded = new long[1];
            double seconds = r.awaitConsumed(input, loadEnd, t -> loaded[0] = t);
            double measuredSeconds = (r.finishedNanos - loaded[0]) / 1e9;
            gc();
            long heap = heapUsed() - heapBefore;
            long[] sizes = r.stateSizes();
            double valueBytes = Arrays.stream(sizes).average().orElse(Double.NaN);
            long changelog = changelogBytes(app);
            r.close();
            long sst = filesSize(r.stateDir, ".sst");
            ScaleStep s = new ScaleStep(runs, loadEvents, options.scaleEvents(), measuredSeconds,
                    options.scaleEvents() / measuredSeconds, valueBytes, (double) sst / runs, (double) changelog / runs,
                    heap, (double) heap / runs);
            progress.accept(String.format(Locale.ROOT,
                    "  %,.0f events/s; %.0f B/run in the store (%.0f B/run RocksDB files, %.0f B/run changelog); heap +%,d MB (%.0f B/run); load+measure %.1f s",
                    s.eventsPerSecond(), s.valueBytesPerRun(), s.storeBytesPerRun(), s.changelogBytesPerRun(),
                    heap >> 20, s.heapBytesPerRun(), seconds));
            return s;
        } finally {
            deleteTopics(input, config.topics().diagnoses().name(), config.topics().status().name(),
                    app + "-" + LossDoctorTopology.RUN_STATE_STORE + "-changelog");
        }
    }

    private static String scaleRunId(int runs, int i) {
        return String.format(Locale.ROOT, "scale-%d-run-%07d", runs, i);
    }

    private static byte[] started(String runId, long at) {
        return String.format(Locale.ROOT,
                "{\"type\":\"run_started\",\"run_id\":\"%s\",\"timestamp\":\"%s\",\"config\":{\"optimizer\":\"adam\",\"lr\":0.001,"
                        + "\"batch_size\":64,\"hidden_activation\":\"relu\",\"max_epochs\":100}}",
                runId, Instant.ofEpochMilli(at)).getBytes(StandardCharsets.UTF_8);
    }

    /** The metrics events of the scale test: a decaying noisy curve per run, from the run's number. */
    static final class ScalePoints {
        private ScalePoints() {
        }

        static TrainingTraffic.Event event(String runId, int run, int epoch, long start) {
            long h = mix(run * 0x9E3779B97F4A7C15L + epoch);
            double noise = ((h >>> 11) * 0x1.0p-53 - 0.5) * 0.04;
            double train = (0.1 + 2.0 * Math.exp(-0.05 * epoch)) * (1 + noise);
            double val = train + 0.08 + noise * 0.5;
            long t = start + epoch * 1000L;
            String json = String.format(Locale.ROOT,
                    "{\"type\":\"metrics\",\"run_id\":\"%s\",\"epoch\":%d,\"timestamp\":\"%s\",\"metrics\":{\"train_loss\":%.6g,\"val_loss\":%.6g}}",
                    runId, epoch, Instant.ofEpochMilli(t), train, val);
            return new TrainingTraffic.Event(runId, json.getBytes(StandardCharsets.UTF_8), t);
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    // ---- plumbing

    private AppConfig config(String app, String input) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(AppConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        s.put(AppConfig.APPLICATION_ID, app);
        s.put(AppConfig.STATE_DIR, workDir.resolve(app).toString());
        s.put(AppConfig.METRICS_TOPIC, input);
        s.put(AppConfig.DIAGNOSES_TOPIC, app + "-diagnoses");
        s.put(AppConfig.STATUS_TOPIC, app + "-status");
        s.put(AppConfig.DLQ_TOPIC, app + "-dlq");
        s.put("kafka." + StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(options.threads()));
        s.putAll(options.settings());
        return AppConfig.of(s);
    }

    private void createTopics(int partitions, String... names) throws Exception {
        List<NewTopic> topics = Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
        admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
    }

    private void deleteTopics(String... names) {
        try {
            admin.deleteTopics(List.of(names)).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("Could not delete the topics {}: {}", List.of(names), e.toString());
        }
    }

    private interface Source {
        void emit(Consumer<TrainingTraffic.Event> out);
    }

    private interface Sent {
        void at(int partition, long offset);
    }

    private void produce(String topic, Source source, Sent sent) throws Exception {
        produce(topic, source, sent, false);
    }

    /** Sends every event (key = run id); with {@code now}, stamped with the time of sending (for latency). */
    private void produce(String topic, Source source, Sent sent, boolean now) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // a fleet of trainers sends in small batches (latency: 2 ms of linger, counted in it); a bulk load in large ones
        p.put(ProducerConfig.LINGER_MS_CONFIG, now ? "2" : "20");
        if (!now) {
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        }
        AtomicLong failures = new AtomicLong();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            source.emit(e -> producer.send(new ProducerRecord<>(topic, null, now ? null : e.timestampMillis(), e.runId(), e.value()),
                    (md, ex) -> {
                        if (ex != null) {
                            failures.incrementAndGet();
                        } else if (sent != null) {
                            synchronized (sent) {
                                sent.at(md.partition(), md.offset());
                            }
                        }
                    }));
            producer.flush();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " events could not be produced to " + topic);
        }
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            q.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(q).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    private long changelogBytes(String app) throws Exception {
        String topic = app + "-" + LossDoctorTopology.RUN_STATE_STORE + "-changelog";
        long bytes = 0;
        Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get();
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription d : byDir.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
                    if (e.getKey().topic().equals(topic)) {
                        bytes += e.getValue().size();
                    }
                }
            }
        }
        return bytes;
    }

    private Running start(Topology topology, Properties props) {
        return new Running(topology, props);
    }

    /** A Kafka Streams instance under measurement. */
    private final class Running implements AutoCloseable {
        final KafkaStreams streams;
        final String app;
        final Path stateDir;
        volatile long runningNanos;
        long finishedNanos;
        private boolean closed;

        Running(Topology topology, Properties props) {
            app = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
            stateDir = Path.of(props.getProperty(StreamsConfig.STATE_DIR_CONFIG));
            streams = new KafkaStreams(topology, props);
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING && runningNanos == 0) {
                    runningNanos = System.nanoTime();
                }
            });
            streams.start();
        }

        void awaitRunning() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (runningNanos == 0) {
                if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException(app + " did not get to RUNNING (" + streams.state() + ")");
                }
                Thread.sleep(10);
            }
        }

        /**
         * Waits until the group has committed every input offset, and measures the rate in the
         * middle: from the commit that took the group past 10 % of the input to the one that took
         * it past 90 %. Start-up, the first rebalances (with several stream threads, processing
         * starts before the instance reports RUNNING) and the last commit stay out of it.
         */
        Throughput awaitThroughput(String input, String topology, ThreadCpu cpu) throws Exception {
            Map<TopicPartition, Long> end = endOffsets(input);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            long low = total / 10, high = total - total / 10;
            long startedNanos = System.nanoTime(), deadline = startedNanos + PHASE_TIMEOUT.toNanos();
            long lowNanos = -1, lowEvents = 0, highNanos = -1, highEvents = 0;
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(app)
                        .partitionsToOffsetAndMetadata().get();
                long now = System.nanoTime();
                long done = end.keySet().stream().mapToLong(tp -> {
                    OffsetAndMetadata c = committed.get(tp);
                    return c == null ? 0 : c.offset();
                }).sum();
                if (lowNanos < 0 && done >= low) {
                    lowNanos = now;
                    lowEvents = done;
                }
                if (highNanos < 0 && done >= high) {
                    highNanos = now;
                    highEvents = done;
                }
                if (done >= total) {
                    finishedNanos = now;
                    Map<String, Double> cpuPerEvent = cpu.microsPerEvent(total);
                    double seconds = (highNanos - lowNanos) / 1e9;
                    long events = highEvents - lowEvents;
                    if (events == 0 || seconds < 0.05) { // all in one or two commits: the whole run it is
                        seconds = (now - startedNanos) / 1e9;
                        events = total;
                    }
                    return report(new Throughput(topology, events, seconds, events / seconds, cpuPerEvent));
                }
                if (now > deadline || streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException(app + " did not consume " + input + " in time (" + streams.state() + ")");
                }
                Thread.sleep(10);
            }
        }

        /**
         * Waits until the group has committed every input offset; returns the seconds from RUNNING.
         * When {@code marks} is given, {@code reached} gets the time all of them were committed first.
         */
        double awaitConsumed(String input, Map<Integer, Long> marks, LongConsumer reached) throws Exception {
            awaitRunning();
            Map<TopicPartition, Long> end = endOffsets(input);
            long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
            boolean marked = marks.isEmpty();
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(app)
                        .partitionsToOffsetAndMetadata().get();
                long now = System.nanoTime();
                if (!marked && reachedAll(committed, input, marks)) {
                    marked = true;
                    reached.accept(now);
                }
                boolean done = end.entrySet().stream().allMatch(e -> {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    return e.getValue() == 0 || c != null && c.offset() >= e.getValue();
                });
                if (done) {
                    if (!marked) {
                        reached.accept(now);
                    }
                    finishedNanos = now;
                    return (now - runningNanos) / 1e9;
                }
                if (now > deadline || streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException(app + " did not consume " + input + " in time (" + streams.state() + ")");
                }
                Thread.sleep(20);
            }
        }

        private boolean reachedAll(Map<TopicPartition, OffsetAndMetadata> committed, String input, Map<Integer, Long> marks) {
            for (Map.Entry<Integer, Long> m : marks.entrySet()) {
                OffsetAndMetadata c = committed.get(new TopicPartition(input, m.getKey()));
                if (c == null || c.offset() < m.getValue()) {
                    return false;
                }
            }
            return true;
        }

        /** Key plus encoded value of every run in the store, in bytes. */
        long[] stateSizes() {
            ReadOnlyKeyValueStore<String, RunState> store = streams.store(StoreQueryParameters.fromNameAndType(
                    LossDoctorTopology.RUN_STATE_STORE, QueryableStoreTypes.keyValueStore()));
            long[] sizes = new long[1024];
            int n = 0;
            try (KeyValueIterator<String, RunState> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, RunState> kv = all.next();
                    if (n == sizes.length) {
                        sizes = Arrays.copyOf(sizes, n * 2);
                    }
                    sizes[n++] = kv.key.getBytes(StandardCharsets.UTF_8).length
                            + (kv.value == null ? 0 : RunStateCodec.encode(kv.value).length);
                }
            }
            return Arrays.copyOf(sizes, n);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                streams.close(Duration.ofSeconds(30));
            }
        }
    }

    private Throughput report(Throughput t) {
        progress.accept(String.format(Locale.ROOT, "  %s: %,d events in %.2f s = %,.0f events/s; CPU per event (µs): %s",
                t.topology(), t.events(), t.seconds(), t.eventsPerSecond(), cpuText(t.cpuMicrosPerEvent())));
        return t;
    }

    static String cpuText(Map<String, Double> cpu) {
        StringBuilder b = new StringBuilder();
        cpu.forEach((kind, micros) -> b.append(b.isEmpty() ? "" : ", ").append(kind).append(' ')
                .append(String.format(Locale.ROOT, "%.1f", micros)));
        return b.toString();
    }

    private void readLatencies(AppConfig config, LatencyRecorder diagnoses, LatencyRecorder statuses, AtomicBoolean stop) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        String diagnosesTopic = config.topics().diagnoses().name();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(diagnosesTopic, config.topics().status().name()));
            while (!stop.get()) {
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                    (r.topic().equals(diagnosesTopic) ? diagnoses : statuses).add(r.timestamp(), now);
                }
            }
        }
    }

    /** Latencies of the records produced after the warm-up. */
    private static final class LatencyRecorder {
        private final long after;
        private long[] ms = new long[1 << 16];
        private int n;

        LatencyRecorder(long after) {
            this.after = after;
        }

        void add(long producedMillis, long consumedMillis) {
            if (producedMillis < after) {
                return;
            }
            if (n == ms.length) {
                ms = Arrays.copyOf(ms, n * 2);
            }
            ms[n++] = consumedMillis - producedMillis;
        }

        Percentiles percentiles() {
            return Percentiles.of(ms, n);
        }
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long heapUsed() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        return m.getHeapMemoryUsage().getUsed();
    }

    private static long filesSize(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            log.debug("Could not delete {}", workDir);
        }
    }
}
