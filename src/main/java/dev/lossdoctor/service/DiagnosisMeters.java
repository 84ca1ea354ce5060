package dev.lossdoctor.service;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.StopAdvice;
import dev.lossdoctor.streams.AnalysisMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The domain meters (Prometheus names):
 * <ul>
 *   <li>{@code lossdoctor_events_total{outcome="accepted"|"rejected"}}</li>
 *   <li>{@code lossdoctor_diagnoses_total{diagnosis,severity}}: diagnosis events emitted</li>
 *   <li>{@code lossdoctor_runs{diagnosis}}: runs held by this instance, by the diagnosis they show (lagging for a
 *       run of a sweep that lags; all codes, 0 when none)</li>
 *   <li>{@code lossdoctor_runs_evicted_total{reason="finished"|"idle"|"capacity"}}</li>
 *   <li>{@code lossdoctor_processing_lag_seconds}: now minus the timestamp of the latest record analysed</li>
 *   <li>per run, for at most {@code maxRunGauges} runs: {@code lossdoctor_run_train_loss{run_id}},
 *       {@code lossdoctor_run_val_loss{run_id}}, {@code lossdoctor_run_epoch{run_id}},
 *       {@code lossdoctor_run_diagnosis{run_id,diagnosis,severity}} (1, for the current diagnosis only);
 *       removed when the run is evicted or moves to another instance. Runs beyond the limit are
 *       counted in {@code lossdoctor_run_gauges_dropped_total}.</li>
 * </ul>
 * The run counts are kept up to date as runs change, never by reading the store.
 */
public final class DiagnosisMeters implements AnalysisMetrics, MeterBinder {

    private final int maxRunGauges;
    private final LongSupplier wallClockMillis;
    private final Map<Diagnosis, AtomicLong> runsByDiagnosis = new EnumMap<>(Diagnosis.class);
    private final Map<Diagnosis, Counter> diagnoses = new EnumMap<>(Diagnosis.class);
    private final Map<Release, Counter> evictions = new EnumMap<>(Release.class);
    private final Map<Diagnosis, Counter> epochsAfterStopAdvice = new EnumMap<>(Diagnosis.class);
    private final Map<Diagnosis, Counter> secondsAfterStopAdvice = new EnumMap<>(Diagnosis.class);
    private final AtomicLong latestRecordMillis = new AtomicLong(Long.MIN_VALUE);
    private final Map<String, RunGauges> perRun = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;
    private Counter accepted;
    private Counter rejected;
    private Counter gaugesDropped;

    /**
     * @param maxRunGauges the most runs that get per-run gauges
     * @param wallClockMillis the clock the processing lag is measured against
     */
    public DiagnosisMeters(int maxRunGauges, LongSupplier wallClockMillis) {
        this.maxRunGauges = maxRunGauges;
        this.wallClockMillis = wallClockMillis;
        for (Diagnosis d : Diagnosis.values()) {
            runsByDiagnosis.put(d, new AtomicLong());
        }
    }

    public DiagnosisMeters(int maxRunGauges) {
        this(maxRunGauges, System::currentTimeMillis);
    }

    @Override
    public void bindTo(MeterRegistry r) {
        accepted = Counter.builder("lossdoctor.events").tag("outcome", "accepted")
                .description("Input records parsed into training events").register(r);
        rejected = Counter.builder("lossdoctor.events").tag("outcome", "rejected")
                .description("Input records sent to the dead-letter topic").register(r);
        for (Diagnosis d : Diagnosis.values()) {
            diagnoses.put(d, Counter.builder("lossdoctor.diagnoses").tag("diagnosis", d.code())
                    .tag("severity", d.severity().code()).description("Diagnosis events emitted").register(r));
            Gauge.builder("lossdoctor.runs", runsByDiagnosis.get(d), AtomicLong::get).tag("diagnosis", d.code())
                    .description("Runs held by this instance, by current diagnosis").register(r);
        }
        for (Diagnosis d : StopAdvice.ADVISED_BY) { // all labels present from the start
            epochsAfterStopAdvice.put(d, Counter.builder("lossdoctor.epochs.after.stop.advice").tag("diagnosis", d.code())
                    .description("Epochs (steps, for runs reporting steps only) trained after Loss Doctor first advised stopping, "
                            + "by the diagnosis that advised it").register(r));
            secondsAfterStopAdvice.put(d, Counter.builder("lossdoctor.seconds.after.stop.advice").tag("diagnosis", d.code())
                    .description("Training time (event time) after Loss Doctor first advised stopping, "
                            + "by the diagnosis that advised it").register(r));
        }
        for (Release why : List.of(Release.FINISHED, Release.IDLE, Release.CAPACITY)) {
            evictions.put(why, Counter.builder("lossdoctor.runs.evicted").tag("reason", why.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Runs evicted from the state store").register(r));
        }
        Gauge.builder("lossdoctor.processing.lag.seconds", this, DiagnosisMeters::lagSeconds)
                .description("Wall-clock time now minus the timestamp of the latest record analysed").register(r);
        gaugesDropped = Counter.builder("lossdoctor.run.gauges.dropped")
                .description("Runs not given per-run gauges because max-run-gauges runs already had them").register(r);
        registry = r;
    }

    /** Runs held by this instance with this current diagnosis. */
    public long runs(Diagnosis d) {
        return runsByDiagnosis.get(d).get();
    }

    /** Run ids that have per-run gauges. */
    public List<String> gaugedRuns() {
        return new ArrayList<>(perRun.keySet());
    }

    private double lagSeconds() {
        long latest = latestRecordMillis.get();
        return latest == Long.MIN_VALUE ? Double.NaN : (wallClockMillis.getAsLong() - latest) / 1000.0;
    }

    @Override
    public void accepted() {
        if (accepted != null) {
            accepted.increment();
        }
    }

    @Override
    public void rejected(String reason) {
        if (rejected != null) {
            rejected.increment();
        }
    }

    @Override
    public void processed(long recordTimestampMillis) {
        latestRecordMillis.set(recordTimestampMillis);
    }

    @Override
    public void diagnosed(DiagnosisEvent event) {
        Counter c = diagnoses.get(event.diagnosis());
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void spentAfterStopAdvice(Diagnosis advisedBy, long epochs, long seconds) {
        Counter e = epochsAfterStopAdvice.get(advisedBy), t = secondsAfterStopAdvice.get(advisedBy);
        if (e != null) {
            e.increment(epochs);
            t.increment(seconds);
        }
    }

    @Override
    public void runHeld(String runId, Diagnosis current) {
        runsByDiagnosis.get(current).incrementAndGet();
    }

    @Override
    public void runUpdated(RunStatus status, Diagnosis previous) {
        if (previous != status.diagnosis()) {
            if (previous != null) {
                runsByDiagnosis.get(previous).decrementAndGet();
            }
            runsByDiagnosis.get(status.diagnosis()).incrementAndGet();
        }
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        RunGauges gauges = perRun.get(status.runId());
        if (gauges == null) {
            gauges = addRunGauges(r, status.runId(), previous == null);
            if (gauges == null) {
                return;
            }
        }
        gauges.update(status);
    }

    @Override
    public void runRead(RunStatus status) {
        RunGauges gauges = perRun.get(status.runId());
        if (gauges != null) {
            gauges.trends(status);
        }
    }

    @Override
    public void runReleased(String runId, Diagnosis current, Release why) {
        runsByDiagnosis.get(current).decrementAndGet();
        Counter c = evictions.get(why);
        if (c != null) {
            c.increment();
        }
        RunGauges gauges = perRun.remove(runId);
        if (gauges != null) {
            gauges.remove();
        }
    }

    private synchronized RunGauges addRunGauges(MeterRegistry r, String runId, boolean newRun) {
        RunGauges existing = perRun.get(runId);
        if (existing != null) {
            return existing;
        }
        if (perRun.size() >= maxRunGauges) {
            if (newRun) {
                gaugesDropped.increment();
            }
            return null;
        }
        RunGauges g = new RunGauges(r, runId);
        perRun.put(runId, g);
        return g;
    }

    /** One run's gauges. Values are written by the run's stream thread and read by the scrape. */
    private static final class RunGauges {
        private final MeterRegistry registry;
        private final String runId;
        private final List<Meter> meters = new ArrayList<>();
        private volatile double trainLoss = Double.NaN;
        private volatile double valLoss = Double.NaN;
        private volatile double epoch = Double.NaN;
        private volatile double trainTrend = Double.NaN;
        private volatile double valTrend = Double.NaN;
        private Diagnosis diagnosis;
        private Meter diagnosisGauge;

        RunGauges(MeterRegistry registry, String runId) {
            this.registry = registry;
            this.runId = runId;
            meters.add(Gauge.builder("lossdoctor.run.train.loss", this, g -> g.trainLoss).tag("run_id", runId)
                    .description("The run's latest training loss").register(registry));
            meters.add(Gauge.builder("lossdoctor.run.val.loss", this, g -> g.valLoss).tag("run_id", runId)
                    .description("The run's latest validation loss").register(registry));
            meters.add(Gauge.builder("lossdoctor.run.epoch", this, g -> g.epoch).tag("run_id", runId)
                    .description("The run's latest epoch").register(registry));
            meters.add(Gauge.builder("lossdoctor.run.train.loss.trend", this, g -> g.trainTrend).tag("run_id", runId)
                    .description("Where the run's training loss is heading: -1 falling, 0 flat, 1 rising (NaN: not read yet)")
                    .register(registry));
            meters.add(Gauge.builder("lossdoctor.run.val.loss.trend", this, g -> g.valTrend).tag("run_id", runId)
                    .description("Where the run's validation loss is heading: -1 falling, 0 flat, 1 rising (NaN: not read yet)")
                    .register(registry));
        }

        /** The trends of the run's latest full status (the brief status of every record has none). */
        void trends(RunStatus s) {
            trainTrend = trendValue(s.trainTrend());
            valTrend = trendValue(s.valTrend());
        }

        private static double trendValue(String code) {
            if (code == null) {
                return Double.NaN;
            }
            return switch (code) {
                case "falling" -> -1;
                case "flat" -> 0;
                case "rising" -> 1;
                default -> Double.NaN;
            };
        }

        synchronized void update(RunStatus s) {
            trainLoss = s.trainLoss() == null ? Double.NaN : s.trainLoss();
            valLoss = s.valLoss() == null ? Double.NaN : s.valLoss();
            epoch = s.epoch() == null ? Double.NaN : s.epoch();
            if (s.diagnosis() != diagnosis) {
                if (diagnosisGauge != null) {
                    registry.remove(diagnosisGauge);
                }
                diagnosis = s.diagnosis();
                diagnosisGauge = Gauge.builder("lossdoctor.run.diagnosis", () -> 1).tag("run_id", runId)
                        .tag("diagnosis", diagnosis.code()).tag("severity", diagnosis.severity().code())
                        .description("1 for the run's current diagnosis").register(registry);
            }
        }

        synchronized void remove() {
            meters.forEach(registry::remove);
            if (diagnosisGauge != null) {
                registry.remove(diagnosisGauge);
            }
        }
    }
}
