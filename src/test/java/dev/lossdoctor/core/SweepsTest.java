package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lagging over a run's own diagnosis, as analyze shows it: starts, is outranked by a problem, ends. */
class SweepsTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final RunConfig CONFIG = new RunConfig("adam", 0.001, 32, null, null, null, null, 50, null, null, null);

    private final RunAnalyzer analyzer = new RunAnalyzer();
    private final Sweeps sweeps = new Sweeps(SweepRule.DEFAULT.withPercentile(50));
    private final Map<String, RunState> states = new java.util.HashMap<>();
    private final List<DiagnosisEvent> said = new ArrayList<>();

    private void send(TrainingEvent e) {
        RunState s = states.computeIfAbsent(e.runId(), RunState::new);
        said.addAll(sweeps.apply(s, e, analyzer.apply(s, e), analyzer, states::get));
    }

    private void start(String run, String sweep) {
        send(new RunStarted(run, T0, CONFIG, sweep));
    }

    private void point(String run, long epoch, double train, double val) {
        send(new MetricsReported(run, epoch, null, T0.plusSeconds(60 * epoch), Map.of("train_loss", train, "val_loss", val)));
    }

    private List<Diagnosis> of(String run) {
        return said.stream().filter(d -> d.runId().equals(run)).map(DiagnosisEvent::diagnosis).toList();
    }

    /** Six good siblings and one run that learns as they do but from much higher, all epoch by epoch. */
    private void sweepWithASlowRun(int epochs, double slowFrom) {
        for (int r = 0; r < 6; r++) {
            start("good" + r, "s7");
        }
        start("slow", "s7");
        for (int e = 1; e <= epochs; e++) {
            for (int r = 0; r < 6; r++) {
                point("good" + r, e, 0.3 + 2.0 / e + 0.01 * r, 0.35 + 2.0 / e + 0.01 * r);
            }
            point("slow", e, slowFrom + 2.0 / e - (e > 20 ? 0.05 * (e - 20) : 0), slowFrom + 0.05 + 2.0 / e
                    - (e > 20 ? 0.05 * (e - 20) : 0));
        }
    }

    @Test
    void shouldCallARunWorseThanItsSiblingsLaggingWithItsRankAndTheEpochsStoppingSaves() {
        sweepWithASlowRun(12, 1.0);

        DiagnosisEvent lagging = said.stream().filter(d -> d.diagnosis() == Diagnosis.LAGGING && d.runId().equals("slow"))
                .findFirst().orElseThrow();
        assertThat(lagging.epoch()).isEqualTo(5); // warm-up: max(3, 10% of 50) = 5
        assertThat(lagging.evidence()).containsEntry("sweep_id", "s7").containsEntry("rank", 7).containsEntry("of", 7)
                .containsEntry("siblings", 6).containsEntry("better", 6).containsEntry("at_epoch", 5L);
        assertThat(lagging.recommendations()).singleElement().asString()
                .startsWith("stop: 6 of 6 siblings were better at epoch 5 (median 0.775, this run 1.45)")
                .endsWith("stopping now saves ~45 epochs");
        assertThat(lagging.severity()).isEqualTo(Severity.WARNING);
        assertThat(of("good0")).doesNotContain(Diagnosis.LAGGING); // the best; good5 is behind the median of the others
        assertThat(of("good5")).contains(Diagnosis.LAGGING);
        RunStatus status = sweeps.status(analyzer.status(states.get("slow")));
        assertThat(status.diagnosis()).isEqualTo(Diagnosis.LAGGING);
        assertThat(status.siblings().rank()).isEqualTo(7);
        assertThat(sweeps.status(analyzer.status(states.get("good0"))).siblings().rank()).isEqualTo(1);
    }

    @Test
    void shouldEndLaggingWhenTheRunCatchesUp() {
        sweepWithASlowRun(40, 0.6); // the slow run drops fast after epoch 20 and overtakes its siblings

        List<Diagnosis> slow = of("slow");
        assertThat(slow).contains(Diagnosis.LAGGING);
        int lagged = slow.indexOf(Diagnosis.LAGGING);
        assertThat(slow.subList(lagged + 1, slow.size())).isNotEmpty().doesNotContain(Diagnosis.LAGGING);
        DiagnosisEvent after = said.stream().filter(d -> d.runId().equals("slow") && d.previous() == Diagnosis.LAGGING)
                .findFirst().orElseThrow();
        assertThat(after.diagnosis().severity()).isEqualTo(Severity.INFO);
        assertThat(sweeps.status(analyzer.status(states.get("slow"))).siblings().lagging()).isFalse();
    }

    /**
     * A run that got ahead of its sweep is ranked again when its siblings catch up: the slow run
     * reports all its epochs first (no siblings there yet), and hears that it lags on the point of
     * the last sibling to reach an epoch past the warm-up, its own state said in the event.
     */
    @Test
    void shouldCallARunThatGotAheadLaggingWhenItsSiblingsCatchUp() {
        for (int r = 0; r < 6; r++) {
            start("good" + r, "s7");
        }
        start("slow", "s7");
        for (int e = 1; e <= 8; e++) {
            point("slow", e, 1.0 + 2.0 / e, 1.05 + 2.0 / e);
        }
        assertThat(of("slow")).doesNotContain(Diagnosis.LAGGING);
        for (int e = 1; e <= 8; e++) {
            for (int r = 0; r < 6; r++) {
                point("good" + r, e, 0.3 + 2.0 / e + 0.01 * r, 0.35 + 2.0 / e + 0.01 * r);
            }
        }
        DiagnosisEvent lagging = said.stream().filter(d -> d.diagnosis() == Diagnosis.LAGGING && d.runId().equals("slow"))
                .findFirst().orElseThrow();
        assertThat(lagging.epoch()).as("the slow run's own epoch").isEqualTo(8);
        assertThat(lagging.evidence()).containsEntry("at_epoch", 5L).containsEntry("siblings", 6);
        assertThat(lagging.timestamp()).as("the time of the sibling's point that decided it").isEqualTo(T0.plusSeconds(60 * 5));
        RunStatus status = sweeps.status(analyzer.status(states.get("slow")));
        assertThat(status.diagnosis()).isEqualTo(Diagnosis.LAGGING);
        assertThat(status.siblings().at()).as("moved on as the siblings reached its epoch").isEqualTo(8);
        assertThat(status.siblings().of()).isEqualTo(7);
    }

    @Test
    void shouldLetAProblemDiagnosisOutrankLagging() {
        sweepWithASlowRun(8, 1.0);
        assertThat(of("slow")).endsWith(Diagnosis.LAGGING);
        for (int e = 9; e <= 20; e++) { // the slow run now diverges
            point("slow", e, 3 * Math.pow(1.4, e - 8), 3 * Math.pow(1.4, e - 8));
        }
        assertThat(of("slow")).endsWith(Diagnosis.DIVERGING);
        DiagnosisEvent diverging = said.get(said.size() - 1);
        assertThat(diverging.previous()).isEqualTo(Diagnosis.LAGGING);
        assertThat(sweeps.status(analyzer.status(states.get("slow"))).diagnosis()).isEqualTo(Diagnosis.DIVERGING);
    }

    @Test
    void shouldLeaveRunsOfNoSweepExactlyAsTheirOwnAnalysisSaysThem() {
        start("alone", null);
        RunState s = states.get("alone");
        for (int e = 1; e <= 20; e++) {
            MetricsReported m = new MetricsReported("alone", (long) e, null, T0, Map.of("train_loss", 5.0, "val_loss", 5.0));
            List<DiagnosisEvent> own = analyzer.apply(s, m);
            assertThat(sweeps.apply(s, m, own, analyzer, states::get)).isSameAs(own);
        }
        assertThat(sweeps.status(analyzer.status(s)).siblings()).isNull();
    }
}
