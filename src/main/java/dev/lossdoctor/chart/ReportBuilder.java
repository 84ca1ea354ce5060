package dev.lossdoctor.chart;

import dev.lossdoctor.chart.ChartData.Change;
import dev.lossdoctor.chart.ChartData.ChartPoint;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.Forecast;
import dev.lossdoctor.core.MetricNames;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.TrainingEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Collects, while {@code analyze} reads its files, every run's whole curve (offline the full history
 * is at hand) and its diagnosis events, then makes the report's runs. Points may arrive out of
 * order and twice: they are sorted, and the first report of a point wins, as in the analysis.
 */
public final class ReportBuilder {

    private final Map<String, Run> runs = new LinkedHashMap<>();

    /** Takes the points of a metrics event; other events only register the run. */
    public void event(TrainingEvent event) {
        Run run = run(event.runId());
        if (event instanceof MetricsReported m) {
            Map<String, Double> metrics = m.metrics();
            Double train = pick(metrics, "train_loss", false, -1);
            Double val = pick(metrics, "val_loss", true, -1);
            Double trainAcc = pick(metrics, "train_accuracy", false, 1);
            Double valAcc = pick(metrics, "val_accuracy", true, 1);
            if (train != null || val != null || trainAcc != null || valAcc != null) {
                run.points.add(new Raw(m.epoch(), m.step(), m.fractionalEpoch() != null, train, val, trainAcc, valAcc,
                        run.points.size()));
            }
        }
    }

    public void diagnosis(DiagnosisEvent event) {
        run(event.runId()).events.add(event);
    }

    /** Where the run's validation loss is heading at its end (its final status' forecast), drawn on its chart. */
    public void forecast(String runId, Forecast forecast) {
        run(runId).forecast = forecast;
    }

    /** The recovered loss spikes the analysis kept of the run (its final status' {@code spikes}; null: none), marked on its chart. */
    public void spikes(String runId, RunStatus.Spikes spikes) {
        run(runId).spikes = spikes == null ? List.of() : List.copyOf(spikes.epochs());
    }

    private Run run(String runId) {
        return runs.computeIfAbsent(runId, k -> new Run());
    }

    /** The runs in the order they first appeared. */
    public List<ReportRun> runs() {
        return runs(id -> null);
    }

    /** The runs in the order they first appeared, with what the analysis kept of each (null: nothing). */
    public List<ReportRun> runs(java.util.function.Function<String, RunState> states) {
        List<ReportRun> out = new ArrayList<>(runs.size());
        runs.forEach((id, run) -> {
            RunState state = states.apply(id);
            out.add(new ReportRun(chart(id, run), run.events, state == null ? 0 : state.span(),
                    state == null ? null : state.afterStopAdvice()));
        });
        return out;
    }

    static ChartData chart(String runId, Run run) {
        List<Raw> raw = new ArrayList<>(run.points);
        raw.sort(Comparator.comparingLong((Raw r) -> r.epoch == null ? -1 : r.epoch)
                .thenComparingLong(r -> r.step == null ? -1 : r.step)
                .thenComparingInt(r -> r.order));
        List<Raw> unique = new ArrayList<>(raw.size());
        for (Raw r : raw) {
            Raw prev = unique.isEmpty() ? null : unique.get(unique.size() - 1);
            if (prev == null || !java.util.Objects.equals(prev.epoch, r.epoch) || !java.util.Objects.equals(prev.step, r.step)) {
                unique.add(r);
            }
        }
        List<Long> epochs = unique.stream().map(Raw::epoch).toList();
        List<Long> steps = unique.stream().map(Raw::step).toList();
        // a run reporting fractional epochs (Hugging Face) is drawn against its steps: its epochs, whole
        // parts only, would stack its points, or shift an evaluation at epoch 0.99 to epoch 0
        boolean bySteps = Curves.bySteps(epochs, steps)
                || unique.stream().anyMatch(Raw::fractional) && steps.stream().allMatch(java.util.Objects::nonNull);
        List<ChartPoint> points = new ArrayList<>(unique.size());
        for (Raw r : unique) {
            Long x = bySteps ? r.step : r.epoch != null ? r.epoch : r.step;
            if (x != null) {
                points.add(new ChartPoint(x, r.train, r.val, r.trainAcc, r.valAcc));
            }
        }
        points.sort(Comparator.comparingDouble(ChartPoint::x)); // epoch-less points mixed in by step
        double firstX = points.isEmpty() ? 0 : points.get(0).x();
        List<Change> changes = new ArrayList<>(run.events.size());
        for (DiagnosisEvent e : run.events) {
            Long at = bySteps ? e.step() : e.epoch() != null ? e.epoch() : e.step();
            double x = at == null ? firstX : at;
            Double since = null;
            if (e.sinceEpoch() != null) {
                since = bySteps ? Curves.stepOfEpoch(epochs, steps, e.sinceEpoch(), e.epoch()) : (double) e.sinceEpoch();
            }
            changes.add(new Change(x, since, e.diagnosis(), e.summary()));
        }
        Double best = bestVal(points);
        ChartData.Projection projection = null;
        Forecast f = run.forecast;
        if (f != null && f.perStep() == bySteps && best != null && !points.isEmpty()) {
            double bestV = points.stream().filter(p -> p.x() == best).findFirst().map(ChartPoint::val).orElseThrow();
            projection = new ChartData.Projection(points.get(points.size() - 1).x(), bestV, f.atEpoch(), f.bestValLoss(),
                    f.low(), f.high());
        }
        List<ChartData.Spike> spikes = Curves.spikes(epochs, steps, unique.stream().map(Raw::train).toList(), bySteps,
                run.spikes);
        return new ChartData(runId, bySteps ? "step" : "epoch", points, changes, best, projection, spikes);
    }

    /**
     * Where the validation loss was lowest over the whole curve (the earliest on a tie). Offline the
     * whole history is at hand, so this is the fact itself; the last diagnosis' {@code val_best_epoch}
     * can be older than the end of the run.
     */
    private static Double bestVal(List<ChartPoint> points) {
        Double bestX = null;
        double bestV = Double.POSITIVE_INFINITY;
        for (ChartPoint p : points) {
            if (ChartSvg.finite(p.val()) && p.val() < bestV) {
                bestV = p.val();
                bestX = p.x();
            }
        }
        return bestX;
    }

    /**
     * The value of {@code preferred}, else of the first other metric (by name) on the same side
     * (validation or not) that goes the same way: the analysis' own choice of curves.
     */
    static Double pick(Map<String, Double> metrics, String preferred, boolean validation, int direction) {
        Double v = metrics.get(preferred);
        if (v != null) {
            return v;
        }
        for (String name : new TreeSet<>(metrics.keySet())) {
            if (name.startsWith("val_") == validation && MetricNames.direction(name) == direction) {
                return metrics.get(name);
            }
        }
        return null;
    }

    private static final class Run {
        final List<Raw> points = new ArrayList<>();
        final List<DiagnosisEvent> events = new ArrayList<>();
        Forecast forecast;
        List<Long> spikes = List.of();
    }

    private record Raw(Long epoch, Long step, boolean fractional, Double train, Double val, Double trainAcc, Double valAcc,
                       int order) {
    }
}
