package dev.lossdoctor.core;

import static dev.lossdoctor.core.RunBuilder.aRun;
import static dev.lossdoctor.core.RunBuilder.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import org.junit.jupiter.api.Test;

/** Reading a curve with the learning rate the run reports (DESIGN.md section 1, schedules; issue 13 item 4). */
class ScheduleReadingTest {

    private final RunAnalyzer analyzer = new RunAnalyzer();

    @Test
    void shouldAdviseALongerScheduleNotAResumeWhenTheRateHadDecayedToZero() {
        // still falling when a linear decay to 0 ends the run
        Analysis run = aRun("linear-to-zero").withConfig(config().lr(1e-3)).epochs(30)
                .trainCurve(e -> 2 * Math.exp(-e / 40)).valCurve(e -> 2.1 * Math.exp(-e / 45))
                .curve("lr", e -> 1e-3 * (30 - e) / 29).finished().analyze();

        DiagnosisEvent verdict = run.last();
        assertThat(verdict.diagnosis()).isEqualTo(Diagnosis.UNDERTRAINED);
        assertThat(verdict.recommendations()).anyMatch(r -> r.contains("longer schedule") && r.contains("0.001"))
                .noneMatch(r -> r.toLowerCase().contains("resume from"));
        assertThat(verdict.evidence()).containsKey("lr_peak");
    }

    @Test
    void shouldStillAdviseResumingARunWithoutASchedule() {
        Analysis run = aRun("no-rate").withConfig(config().lr(1e-3)).epochs(30)
                .trainCurve(e -> 2 * Math.exp(-e / 40)).valCurve(e -> 2.1 * Math.exp(-e / 45)).finished().analyze();

        assertThat(run.last().diagnosis()).isEqualTo(Diagnosis.UNDERTRAINED);
        assertThat(run.last().recommendations()).anyMatch(r -> r.contains("resume from the last checkpoint"));
    }

    @Test
    void shouldReadAFlatLossAtTheEndOfACosineScheduleAsItsEnd() {
        Analysis run = aRun("cosine").withConfig(config().lr(0.1)).epochs(60)
                .trainCurve(e -> 0.3 + 2 * Math.exp(-e / 5)).valCurve(e -> 0.35 + 2 * Math.exp(-e / 5))
                .curve("lr", e -> 0.05 * (1 + Math.cos(Math.PI * (e - 1) / 59))).analyze();

        RunStatus status = analyzer.status(run.state());
        assertThat(status.diagnosis()).isEqualTo(Diagnosis.CONVERGED);
        assertThat(status.summary()).contains("schedule's end, not a stuck model");
        assertThat(status.recommendations()).anyMatch(r -> r.contains("longer schedule"));
    }

    @Test
    void shouldNotCallALossThatRisesDuringAWarmUpDiverging() {
        // the loss dips, then rises while the rate warms up from 0 to its peak, then falls again
        java.util.function.DoubleUnaryOperator loss = e -> e <= 4 ? 2.0 - 0.25 * (e - 1) : e <= 8 ? 1.25 + 0.15 * (e - 4)
                : 1.85 * Math.exp(-(e - 8) / 6) + 0.1;
        Analysis without = aRun("no-rate").withConfig(config().lr(2.0)).epochs(30).trainCurve(loss)
                .valCurve(e -> loss.applyAsDouble(e) + 0.05).analyze();
        Analysis warmUp = aRun("warm-up").withConfig(config().lr(2.0)).epochs(30).trainCurve(loss)
                .valCurve(e -> loss.applyAsDouble(e) + 0.05).curve("lr", e -> 2.0 * Math.min(1, (e - 1) / 9)).analyze();

        assertThat(without.codes()).contains(Diagnosis.DIVERGING); // the same curve without its rate
        assertThat(warmUp.codes()).doesNotContain(Diagnosis.DIVERGING, Diagnosis.OSCILLATING);
    }

    @Test
    void shouldAdviseTenTimesLessThanTheHighestRateNeverZeroInsteadOfZero() {
        // a warm-up from a rate of 0 (the config logged the starting rate) to 2.0, where the loss blows up
        Analysis run = aRun("warm-up-to-2").withConfig(config().lr(0)).epochs(30)
                .trainCurve(e -> e < 12 ? 1.5 * Math.exp(-e / 8) : 0.35 * Math.pow(1.6, e - 11))
                .valCurve(e -> e < 12 ? 1.6 * Math.exp(-e / 8) : 0.4 * Math.pow(1.6, e - 11))
                .curve("lr", e -> 2.0 * Math.min(1, (e - 1) / 9)).analyze();

        DiagnosisEvent diverging = run.first(Diagnosis.DIVERGING);
        assertThat(diverging).isNotNull();
        assertThat(diverging.recommendations()).anyMatch(r -> r.contains("0.2 instead of 2"))
                .noneMatch(r -> r.contains("instead of 0"));
    }

    @Test
    void shouldKeepARunWhoseRateJumpedDivergingNotAsIfItsDescentNeverHappened() {
        // the run: 0.02 until epoch 22, then 1.5; the loss 0.11 -> 2.1, at chance, and stays there
        Analysis run = aRun("rate-jump").withConfig(config().lr(0.02)).epochs(45)
                .trainCurve(e -> e < 22 ? 0.1 + 2.2 * Math.exp(-e / 4) : 2.1).valCurve(e -> e < 22 ? 0.15 + 2.2 * Math.exp(-e / 4) : 2.15)
                .noise(0.01, 7).curve("lr", e -> e < 22 ? 0.02 : 1.5).analyze();

        DiagnosisEvent diverging = run.first(Diagnosis.DIVERGING);
        assertThat(diverging).isNotNull();
        assertThat(diverging.epoch()).isBetween(22L, 25L);
        assertThat(run.diagnoses().subList(run.diagnoses().indexOf(diverging), run.diagnoses().size()))
                .allMatch(d -> d.diagnosis() == Diagnosis.DIVERGING);
        assertThat(run.state().current()).isEqualTo(Diagnosis.DIVERGING);
        assertThat(analyzer.status(run.state()).recommendations()).anyMatch(r -> r.matches(".*: 0\\.15\\d* instead of 1\\.5\\d*")) // (the noise is on the rate too)
                .noneMatch(r -> r.contains("Raise the learning rate"));
    }

    @Test
    void shouldAdviseLoweringTheRateThatBlewTheRunUpNotTheConfigsStartingRate() {
        // the rate grows from the config's 0.01 each epoch until the loss explodes
        Analysis run = aRun("range").withConfig(config().lr(0.01)).epochs(30)
                .trainCurve(e -> e < 20 ? 1.5 * Math.exp(-e / 8) : 0.12 * Math.pow(1.8, e - 19))
                .valCurve(e -> e < 20 ? 1.6 * Math.exp(-e / 8) : 0.13 * Math.pow(1.8, e - 19))
                .curve("lr", e -> 0.01 * Math.pow(1.3, e - 1)).analyze();

        DiagnosisEvent diverging = run.first(Diagnosis.DIVERGING);
        assertThat(diverging).isNotNull();
        String restart = diverging.recommendations().stream().filter(r -> r.startsWith("Restart with a lower learning rate"))
                .findFirst().orElseThrow();
        assertThat(restart).doesNotContain("instead of " + Text.num(0.01))
                .contains("instead of " + Text.num((float) (0.01 * Math.pow(1.3, diverging.epoch() - 1))));
    }
}
