package dev.lossdoctor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.chart.ChartData.ChartPoint;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunConfig;
import dev.lossdoctor.core.RunStarted;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportBuilderTest {

    private static MetricsReported metrics(String run, Long epoch, Long step, Map<String, Double> m) {
        return new MetricsReported(run, epoch, step, Instant.EPOCH, m);
    }

    private static DiagnosisEvent diagnosis(String run, Long epoch, Long step, Diagnosis d, Long since, Map<String, Object> evidence) {
        return new DiagnosisEvent(run, epoch, step, d, null, since, 1, d.code(), List.of(), evidence, Instant.EPOCH);
    }

    @Test
    void shouldSortPointsAndKeepTheFirstReportOfEach() {
        ReportBuilder b = new ReportBuilder();
        b.event(new RunStarted("r", Instant.EPOCH, RunConfig.EMPTY));
        b.event(metrics("r", 3L, null, Map.of("train_loss", 0.5, "val_loss", 0.6)));
        b.event(metrics("r", 1L, null, Map.of("loss", 0.9)));
        b.event(metrics("r", 2L, null, Map.of("train_loss", 0.7, "val_loss", 0.8, "train_accuracy", 0.6, "val_accuracy", 0.55)));
        b.event(metrics("r", 2L, null, Map.of("train_loss", 99.0)));  // a duplicate: ignored
        b.event(metrics("r", 4L, null, Map.of("train_loss", Double.NaN, "val_loss", 0.65)));

        ChartData chart = b.runs().get(0).chart();

        assertThat(chart.xLabel()).isEqualTo("epoch");
        assertThat(chart.points()).extracting(ChartPoint::x).containsExactly(1.0, 2.0, 3.0, 4.0);
        assertThat(chart.points().get(1)).isEqualTo(new ChartPoint(2, 0.7, 0.8, 0.6, 0.55));
        assertThat(chart.points().get(3).train()).isNaN();
        assertThat(chart.bestValX()).isEqualTo(3.0); // the lowest finite val loss, with no evidence to say otherwise
    }

    @Test
    void shouldPickOtherMinimizedAndMaximizedMetricsLikeTheAnalysis() {
        assertThat(ReportBuilder.pick(Map.of("train_mse", 1.5, "lr", 0.1), "train_loss", false, -1)).isEqualTo(1.5);
        assertThat(ReportBuilder.pick(Map.of("val_mae", 2.0, "train_mse", 1.5), "val_loss", true, -1)).isEqualTo(2.0);
        assertThat(ReportBuilder.pick(Map.of("val_auc", 0.8), "val_accuracy", true, 1)).isEqualTo(0.8);
        assertThat(ReportBuilder.pick(Map.of("lr", 0.1), "train_loss", false, -1)).isNull();
    }

    @Test
    void shouldDrawAPerStepRunAgainstStepsAndPlaceItsEpochsOnThem() {
        ReportBuilder b = new ReportBuilder();
        for (long s = 10; s <= 200; s += 10) {
            b.event(metrics("s", 1 + (s - 1) / 50, s, Map.of("train_loss", 1.0 / s)));
        }
        b.diagnosis(diagnosis("s", 3L, 120L, Diagnosis.OSCILLATING, 2L, Map.of("val_best_epoch", 2)));

        ChartData chart = b.runs().get(0).chart();

        assertThat(chart.xLabel()).isEqualTo("step");
        assertThat(chart.points()).hasSize(20);
        assertThat(chart.changes().get(0).x()).isEqualTo(120.0);
        assertThat(chart.changes().get(0).since()).isEqualTo(60.0); // epoch 2's first step
    }

    @Test
    void shouldDrawARunWithFractionalEpochsAgainstItsStepsEvenWhenTheirWholePartsDiffer() throws Exception {
        // a real Hugging Face run evaluating once an epoch, at epochs 0.99, 1.99, ...: whole parts 0, 1, ...
        java.nio.file.Path file = java.nio.file.Path.of(System.getProperty("shared.dir", "../shared"))
                .resolve("curves/wild/events/hf-030.jsonl");
        ReportBuilder b = new ReportBuilder();
        dev.lossdoctor.core.RunAnalyzer analyzer = new dev.lossdoctor.core.RunAnalyzer();
        dev.lossdoctor.core.RunState state = new dev.lossdoctor.core.RunState("hf-030");
        new dev.lossdoctor.io.EventFiles().read(file, e -> {
            b.event(e);
            analyzer.apply(state, e).forEach(b::diagnosis);
        }, p -> {
            throw new AssertionError(p.toString());
        });

        ChartData chart = b.runs().get(0).chart();

        assertThat(chart.xLabel()).isEqualTo("step");
        assertThat(chart.points()).as("its 34 evaluations").hasSize(34);
        assertThat(chart.points()).extracting(ChartPoint::x).startsWith(128.0, 256.0, 384.0).isSorted();
        ChartData.Change overfitting = chart.changes().stream().filter(c -> c.diagnosis() == Diagnosis.OVERFITTING)
                .findFirst().orElseThrow();
        assertThat(overfitting.x()).as("at the step it was read at").isEqualTo(2176.0);
        assertThat(overfitting.since()).as("its epoch placed on the steps").isNotNull().isLessThan(2176.0);
        // whole epochs, as before: drawn against the epochs
        ReportBuilder whole = new ReportBuilder();
        whole.event(metrics("w", 1L, 100L, Map.of("train_loss", 1.0)));
        whole.event(metrics("w", 2L, 200L, Map.of("train_loss", 0.9)));
        assertThat(whole.runs().get(0).chart().xLabel()).isEqualTo("epoch");
    }

    @Test
    void shouldMarkTheLowestValidationLossOfTheWholeRunEvenAfterTheLastDiagnosis() {
        ReportBuilder b = new ReportBuilder();
        for (long e = 1; e <= 10; e++) {
            b.event(metrics("r", e, null, Map.of("train_loss", 1.0 / e, "val_loss", e == 9 ? 0.1 : 1.0 / Math.min(e, 4))));
        }
        b.diagnosis(diagnosis("r", 6L, null, Diagnosis.OVERFITTING, 4L, Map.of("val_best_epoch", 4)));

        ReportRun run = b.runs().get(0);

        assertThat(run.chart().bestValX()).isEqualTo(9.0);
        assertThat(run.chart().changes()).singleElement().satisfies(c -> assertThat(c.start()).isEqualTo(4.0));
        assertThat(run.last().diagnosis()).isEqualTo(Diagnosis.OVERFITTING);
    }

    @Test
    void shouldStartAChangeWithoutEpochAtTheFirstPoint() {
        ReportBuilder b = new ReportBuilder();
        b.diagnosis(diagnosis("r", null, null, Diagnosis.MISCONFIGURED, null, Map.of()));
        b.event(metrics("r", 5L, null, Map.of("train_loss", 1.0)));
        b.event(metrics("r", 6L, null, Map.of("train_loss", 0.9)));

        assertThat(b.runs().get(0).chart().changes().get(0).x()).isEqualTo(5.0);
    }

    /** A corpus run read as {@code analyze --html} reads it, with the spikes of its final status. */
    private static ChartData analyzed(String run) throws Exception {
        ReportBuilder b = new ReportBuilder();
        dev.lossdoctor.core.RunAnalyzer analyzer = new dev.lossdoctor.core.RunAnalyzer();
        dev.lossdoctor.core.RunState state = new dev.lossdoctor.core.RunState(run);
        new dev.lossdoctor.io.EventFiles().read(java.nio.file.Path.of("bench/corpus", run + ".jsonl"), e -> {
            b.event(e);
            analyzer.apply(state, e).forEach(b::diagnosis);
        }, p -> {
            throw new AssertionError(p.toString());
        });
        b.spikes(run, analyzer.status(state).spikes());
        return b.runs().get(0).chart();
    }

    @Test
    void shouldPlaceTheRecoveredSpikesOfRealRunsWhereTheLossJumped() throws Exception {
        // sc-010: once an epoch, the train loss jumps from 0.466 to 0.755 at epoch 35 and comes back
        ChartData perEpoch = analyzed("sc-010");
        // sc-011: several steps an epoch; within epoch 6 (steps 280-330) the jump is at step 310 (0.030 -> 0.317)
        ChartData perStep = analyzed("sc-011");

        assertThat(perEpoch.xLabel()).isEqualTo("epoch");
        assertThat(perEpoch.spikes()).containsExactly(new ChartData.Spike(35, "epoch 35"));
        assertThat(perStep.xLabel()).isEqualTo("step");
        assertThat(perStep.spikes()).containsExactly(new ChartData.Spike(310, "epoch 6"));
    }

    @Test
    void shouldMarkNoSpikeWhenTheAnalysisKeptNone() {
        ReportBuilder b = new ReportBuilder();
        for (long e = 1; e <= 10; e++) {
            b.event(metrics("r", e, null, Map.of("train_loss", e == 5 ? 3.0 : 1.0 / e)));
        }
        b.spikes("r", null);
        ReportBuilder unknown = new ReportBuilder();
        unknown.event(metrics("u", 1L, null, Map.of("train_loss", 1.0)));
        unknown.spikes("u", new dev.lossdoctor.core.RunStatus.Spikes(1, List.of(7L))); // no point at epoch 7

        assertThat(b.runs().get(0).chart().spikes()).isEmpty();
        assertThat(unknown.runs().get(0).chart().spikes()).isEmpty();
    }
}
