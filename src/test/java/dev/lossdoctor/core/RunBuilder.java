package dev.lossdoctor.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/**
 * Fixture builder for a run's training events: a config, curves given as values or as functions
 * of the (fractional) epoch, seeded noise, per-epoch or per-step reporting, an optional
 * {@code run_finished}. Then {@link #events()} gives the events and {@link #diagnose()} runs them
 * through a fresh {@link RunAnalyzer}.
 *
 * <pre>
 * aRun("r1").withConfig(config().lr(0.01).batchSize(32))
 *           .epochs(40).trainCurve(e -> 2 * Math.exp(-e / 10) + 0.1).noise(0.02, 7).finished()
 *           .diagnose();
 * </pre>
 */
public final class RunBuilder {

    public static final Instant START = Instant.parse("2026-11-26T10:00:00Z");
    public static final Duration INTERVAL = Duration.ofMinutes(1);

    private final String runId;
    private RunConfig config;
    private boolean started;
    private long firstEpoch = 1;
    private Integer points;
    private int stepsPerEpoch = 1;
    private boolean perStep;
    private boolean stepOnly;
    private boolean valAtEpochEnd;
    private long stepStride = 100;
    private final Map<String, double[]> values = new LinkedHashMap<>();
    private final Map<String, DoubleUnaryOperator> curves = new LinkedHashMap<>();
    private double relativeNoise;
    private double absoluteNoise;
    private long seed;
    private final Map<Long, Map<String, Double>> overrides = new HashMap<>();
    private boolean finished;
    private double scale = 1;

    private RunBuilder(String runId) {
        this.runId = runId;
    }

    public static RunBuilder aRun(String runId) {
        return new RunBuilder(runId);
    }

    public static ConfigBuilder config() {
        return new ConfigBuilder();
    }

    // ------------------------------------------------------------------ the run

    /** Starts the run with a {@code run_started} carrying this config. */
    public RunBuilder withConfig(RunConfig c) {
        this.config = c;
        this.started = true;
        return this;
    }

    public RunBuilder withConfig(ConfigBuilder c) {
        return withConfig(c.build());
    }

    /** Starts the run with a {@code run_started} and no config. */
    public RunBuilder started() {
        this.started = true;
        return this;
    }

    /** Number of points (for curves given as functions; arrays set it themselves). */
    public RunBuilder epochs(int n) {
        this.points = n;
        return this;
    }

    public RunBuilder firstEpoch(long e) {
        this.firstEpoch = e;
        return this;
    }

    /** Several points per epoch, each with its own increasing step; {@link #epochs} then counts epochs. */
    public RunBuilder perStep(int stepsPerEpoch) {
        this.perStep = true;
        this.stepsPerEpoch = stepsPerEpoch;
        return this;
    }

    /** In a per-step run, validation metrics ({@code val_*}) only on the last step of each epoch, as trainers log them. */
    public RunBuilder valAtEpochEnd() {
        this.valAtEpochEnd = true;
        return this;
    }

    /** Points carry only a step (no epoch), {@code stride} apart. */
    public RunBuilder stepsOnly(long stride) {
        this.stepOnly = true;
        this.stepStride = stride;
        return this;
    }

    public RunBuilder withTrainLoss(double... v) {
        return withMetric("train_loss", v);
    }

    public RunBuilder withValLoss(double... v) {
        return withMetric("val_loss", v);
    }

    public RunBuilder withMetric(String name, double... v) {
        values.put(name, v.clone());
        curves.remove(name);
        return this;
    }

    /** Training loss as a function of the fractional epoch (the first point is at {@link #firstEpoch}). */
    public RunBuilder trainCurve(DoubleUnaryOperator f) {
        return curve("train_loss", f);
    }

    public RunBuilder valCurve(DoubleUnaryOperator f) {
        return curve("val_loss", f);
    }

    public RunBuilder curve(String name, DoubleUnaryOperator f) {
        curves.put(name, f);
        values.remove(name);
        return this;
    }

    /** Seeded Gaussian noise on every loss, relative to its value: {@code v * (1 + sigma * g)}. */
    public RunBuilder noise(double sigma, long seed) {
        this.relativeNoise = sigma;
        this.seed = seed;
        return this;
    }

    /** Seeded Gaussian noise of a fixed size on every loss: {@code v + sigma * g}. */
    public RunBuilder absoluteNoise(double sigma, long seed) {
        this.absoluteNoise = sigma;
        this.seed = seed;
        return this;
    }

    /** Sets one metric of the point at {@code epoch} (the first point of that epoch), after noise. */
    public RunBuilder at(long epoch, String metric, double value) {
        overrides.computeIfAbsent(epoch, k -> new HashMap<>()).put(metric, value);
        return this;
    }

    /** Multiplies every loss (names with "loss") by {@code k}, after noise and overrides. */
    public RunBuilder scaled(double k) {
        this.scale = k;
        return this;
    }

    public RunBuilder finished() {
        this.finished = true;
        return this;
    }

    // ------------------------------------------------------------------ what it makes

    /** The metrics events, in order. */
    public List<MetricsReported> metricsEvents() {
        int n = pointCount();
        Map<String, double[]> series = new LinkedHashMap<>();
        Random rnd = new Random(seed);
        for (String name : names()) {
            double[] v = new double[n];
            double[] given = values.get(name);
            DoubleUnaryOperator f = curves.get(name);
            for (int i = 0; i < n; i++) {
                double clean = given != null ? given[i] : f.applyAsDouble(x(i));
                double noisy = clean;
                if (relativeNoise > 0 || absoluteNoise > 0) {
                    double g = rnd.nextGaussian();
                    noisy = clean + relativeNoise * Math.abs(clean) * g + absoluteNoise * g;
                }
                v[i] = noisy;
            }
            series.put(name, v);
        }
        List<MetricsReported> out = new ArrayList<>(n);
        java.util.Set<Long> overridden = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            Long epoch = stepOnly ? null : Long.valueOf(firstEpoch + i / stepsPerEpoch);
            Long step = stepOnly || perStep ? Long.valueOf((i + 1) * stepStride) : null;
            Map<String, Double> m = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> s : series.entrySet()) {
                if (!(valAtEpochEnd && s.getKey().startsWith("val_") && (i + 1) % stepsPerEpoch != 0)) {
                    m.put(s.getKey(), s.getValue()[i]);
                }
            }
            long key = stepOnly ? step : epoch;
            if (overrides.containsKey(key) && overridden.add(key)) {
                m.putAll(overrides.get(key));
            }
            if (scale != 1) {
                m.replaceAll((k, v) -> k.contains("loss") ? v * scale : v);
            }
            out.add(new MetricsReported(runId, epoch, step, START.plus(INTERVAL.multipliedBy(i + 1)), m));
        }
        return out;
    }

    /** All the run's events: {@code run_started} (when asked), the metrics, {@code run_finished} (when asked). */
    public List<TrainingEvent> events() {
        List<TrainingEvent> out = new ArrayList<>();
        if (started) {
            out.add(new RunStarted(runId, START, config == null ? RunConfig.EMPTY : config));
        }
        List<MetricsReported> metrics = metricsEvents();
        out.addAll(metrics);
        if (finished) {
            MetricsReported last = metrics.isEmpty() ? null : metrics.get(metrics.size() - 1);
            out.add(new RunFinished(runId, last == null ? null : last.epoch(), "completed",
                    START.plus(INTERVAL.multipliedBy(metrics.size() + 1))));
        }
        return out;
    }

    /** Runs the events through a fresh analyzer: the diagnosis events, in order. */
    public List<DiagnosisEvent> diagnose() {
        return analyze(events()).diagnoses();
    }

    public Analysis analyze() {
        return analyze(events());
    }

    /** The epoch (or step) of the lowest validation loss as the analysis stores it (floats; the earliest on a tie). */
    public long valBestEpoch() {
        long best = Point.NONE;
        float bestV = Float.NaN;
        for (MetricsReported m : metricsEvents()) {
            Double v = m.metrics().get("val_loss");
            if (v != null && Float.isFinite((float) v.doubleValue()) && (Float.isNaN(bestV) || (float) v.doubleValue() < bestV)) {
                bestV = (float) v.doubleValue();
                best = m.epoch() != null ? m.epoch() : m.step();
            }
        }
        return best;
    }

    /** Feeds events to a fresh state through a fresh analyzer. */
    public static Analysis analyze(List<? extends TrainingEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no events");
        }
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState state = new RunState(events.get(0).runId());
        List<DiagnosisEvent> out = new ArrayList<>();
        for (TrainingEvent e : events) {
            out.addAll(analyzer.apply(state, e));
        }
        return new Analysis(state, out);
    }

    /** A run's state after its events, and the diagnosis events they caused. */
    public record Analysis(RunState state, List<DiagnosisEvent> diagnoses) {

        public List<Diagnosis> codes() {
            return diagnoses.stream().map(DiagnosisEvent::diagnosis).toList();
        }

        public DiagnosisEvent first(Diagnosis d) {
            return diagnoses.stream().filter(e -> e.diagnosis() == d).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + d.code() + " among " + codes()));
        }

        public DiagnosisEvent last() {
            return diagnoses.get(diagnoses.size() - 1);
        }
    }

    private List<String> names() {
        List<String> names = new ArrayList<>(values.keySet());
        for (String n : curves.keySet()) {
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        names.sort((a, b) -> rank(a) - rank(b));
        return names;
    }

    private static int rank(String n) {
        return n.equals("train_loss") ? 0 : n.equals("val_loss") ? 1 : 2;
    }

    private int pointCount() {
        if (!values.isEmpty()) {
            int n = values.values().iterator().next().length;
            for (double[] v : values.values()) {
                if (v.length != n) {
                    throw new IllegalStateException("metric arrays of different lengths");
                }
            }
            return n;
        }
        if (points == null) {
            throw new IllegalStateException("say how many epochs a curve runs for");
        }
        return points * stepsPerEpoch;
    }

    /** The fractional epoch of point i. */
    private double x(int i) {
        return firstEpoch + i / (double) stepsPerEpoch;
    }

    // ------------------------------------------------------------------ config

    public static final class ConfigBuilder {
        private String optimizer, task, loss, output, hidden, model, dataset;
        private Double lr;
        private Integer batchSize, maxEpochs, classes;

        public ConfigBuilder optimizer(String v) {
            optimizer = v;
            return this;
        }

        public ConfigBuilder lr(double v) {
            lr = v;
            return this;
        }

        public ConfigBuilder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public ConfigBuilder task(String v) {
            task = v;
            return this;
        }

        public ConfigBuilder loss(String v) {
            loss = v;
            return this;
        }

        public ConfigBuilder output(String v) {
            output = v;
            return this;
        }

        public ConfigBuilder hidden(String v) {
            hidden = v;
            return this;
        }

        public ConfigBuilder maxEpochs(int v) {
            maxEpochs = v;
            return this;
        }

        public ConfigBuilder classes(int v) {
            classes = v;
            return this;
        }

        public ConfigBuilder model(String v) {
            model = v;
            return this;
        }

        public ConfigBuilder dataset(String v) {
            dataset = v;
            return this;
        }

        public RunConfig build() {
            return new RunConfig(optimizer, lr, batchSize, task, loss, output, hidden, maxEpochs, classes, model, dataset);
        }
    }
}
