package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.Curves.uShape;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static dev.lossdoctor.core.RunBuilder.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN.md section 2's restarts: a run resumed from a checkpoint, its points after it replaced. */
class RunAnalyzerRestartTest {

    static final long BEST = 12;

    /** Overfits: validation best at epoch 12, rising after; 30 epochs. */
    static RunBuilder overfitting(String id) {
        return aRun(id).started().withConfig(config().optimizer("adam").lr(1e-3)).epochs(30)
                .trainCurve(e -> decay(e, 2.2, 0.1, 8)).valCurve(e -> uShape(e, 2.3, 0.5, BEST, 0.03)).noise(0.004, 11);
    }

    /** The same run resumed from its best epoch with a lower rate: both losses keep falling, slowly. */
    static RunBuilder learningAfterTheBest(String id, int epochs) {
        double train = decay(BEST, 2.2, 0.1, 8), val = uShape(BEST, 2.3, 0.5, BEST, 0.03);
        return aRun(id).firstEpoch(BEST + 1).epochs(epochs)
                .trainCurve(e -> train * (0.6 + 0.4 * Math.exp(-(e - BEST) / 15)))
                .valCurve(e -> val * (0.75 + 0.25 * Math.exp(-(e - BEST) / 15))).noise(0.004, 12);
    }

    static RunStarted resume(String id, Double epoch, Long step) {
        return new RunStarted(id, RunBuilder.START, config().optimizer("adam").lr(1e-4).build(), null, epoch, step);
    }

    static List<TrainingEvent> overfitThenResumeAt(long epoch, int newEpochs) {
        List<TrainingEvent> events = new ArrayList<>(overfitting("r").events());
        events.add(resume("r", (double) epoch, null));
        events.addAll(learningAfterTheBest("r", newEpochs).events());
        return events;
    }

    @Test
    void shouldReplaceThePointsAfterTheCheckpointAndFollowTheNewOnes() {
        RunBuilder.Analysis overfit = overfitting("r").analyze();
        assertThat(overfit.last().diagnosis()).isEqualTo(Diagnosis.OVERFITTING);
        assertThat(overfit.state().afterStopAdvice()).as("told to stop at epoch 16, trained on").isNotNull();

        RunBuilder.Analysis a = RunBuilder.analyze(overfitThenResumeAt(BEST, 30));

        RunState s = a.state();
        assertThat(s.restarts()).isEqualTo(1);
        assertThat(s.points()).as("12 kept, 30 new").isEqualTo(42);
        List<MetricsReported> fresh = learningAfterTheBest("r", 30).metricsEvents();
        for (int i = 0; i < s.windowSize(); i++) {
            assertThat(s.point(i).epoch()).isEqualTo(i + 1);
        }
        assertThat(s.point((int) BEST).val()).as("epoch 13 is the resumed training's")
                .isEqualTo((float) fresh.get(0).metrics().get("val_loss").doubleValue());
        assertThat(s.point((int) BEST - 1).val()).as("epoch 12 is the checkpoint's")
                .isEqualTo(overfit.state().point((int) BEST - 1).val());
        assertThat(s.config().lr()).as("the resume's config").isEqualTo(1e-4);
        // overfitting stood until three readings of new points agreed the run learns again
        DiagnosisEvent last = a.last();
        assertThat(a.codes()).endsWith(Diagnosis.OVERFITTING, Diagnosis.LEARNING);
        assertThat(last.epoch()).isEqualTo(BEST + 3);
        assertThat(last.previous()).isEqualTo(Diagnosis.OVERFITTING);
        assertThat(last.summary()).startsWith("Training loss is falling");
        assertThat(s.afterStopAdvice()).as("the advice was taken: the run went back to before it").isNull();
        RunStatus status = new RunAnalyzer().status(s);
        assertThat(status.restarts()).isEqualTo(1);
        assertThat(status.diagnosis()).isEqualTo(Diagnosis.LEARNING);
        assertThat(status.points()).isEqualTo(42);
        assertThat(new RunAnalyzer().brief(s).restarts()).isEqualTo(1);
        assertThat(new RunAnalyzer().status(overfit.state()).restarts()).isZero();
    }

    @Test
    void shouldDropTheResumedTrainingsValuesWithoutTheResumeAsBefore() {
        // today's reading of points reported again without a resume: the first value of an epoch wins
        List<TrainingEvent> events = overfitThenResumeAt(BEST, 30);
        events.removeIf(e -> e instanceof RunStarted r && r.resumed());

        RunBuilder.Analysis a = RunBuilder.analyze(events);

        assertThat(a.state().restarts()).isZero();
        assertThat(a.state().point((int) BEST).val()).isEqualTo(overfitting("r").analyze().state().point((int) BEST).val());
        assertThat(a.diagnoses().subList(0, 3)).isEqualTo(overfitting("r").analyze().diagnoses());
    }

    @Test
    void shouldChangeNothingForAPlainRunStartedMidRun() {
        List<TrainingEvent> events = new ArrayList<>(overfitting("r").finished().events());
        RunBuilder.Analysis once = RunBuilder.analyze(events);
        events.add(20, new RunStarted("r", RunBuilder.START, config().lr(0.5).build()));

        RunBuilder.Analysis again = RunBuilder.analyze(events);

        assertThat(again.diagnoses()).isEqualTo(once.diagnoses());
        assertThat(again.state()).isEqualTo(once.state());
        assertThat(again.state().restarts()).isZero();
    }

    @Test
    void shouldKeepSayingWhatTheNewPointsStillSay() {
        // resumed after the best, and overfitting on: what was said stands, nothing new is said
        List<TrainingEvent> events = new ArrayList<>(overfitting("r").events());
        int before = RunBuilder.analyze(events).diagnoses().size();
        events.add(resume("r", 25.0, null));
        events.addAll(aRun("r").firstEpoch(26).epochs(15).trainCurve(e -> decay(e, 2.2, 0.1, 8))
                .valCurve(e -> uShape(e, 2.3, 0.5, BEST, 0.03)).noise(0.004, 13).events());

        RunBuilder.Analysis a = RunBuilder.analyze(events);

        assertThat(a.diagnoses()).hasSize(before);
        assertThat(a.state().current()).isEqualTo(Diagnosis.OVERFITTING);
        assertThat(a.state().restarts()).isEqualTo(1);
        assertThat(a.state().points()).isEqualTo(25 + 15);
        assertThat(a.state().afterStopAdvice()).as("the advice, given at epoch 16, was not taken").isNotNull();
        assertThat(a.state().afterStopAdvice().epochs()).isEqualTo(40 - 16);
    }

    @Test
    void shouldCutARunCountedInStepsAtItsStep() {
        List<TrainingEvent> events = new ArrayList<>(aRun("s").stepsOnly(100).epochs(40)
                .trainCurve(e -> decay(e, 2.0, 0.2, 10)).valCurve(e -> decay(e, 2.1, 0.3, 10)).noise(0.004, 5).events());
        events.add(new RunStarted("s", RunBuilder.START, RunConfig.EMPTY, null, null, 2000L));
        events.add(new MetricsReported("s", null, 2100L, RunBuilder.START, java.util.Map.of("train_loss", 0.123, "val_loss", 0.456)));

        RunState s = RunBuilder.analyze(events).state();

        assertThat(s.restarts()).isEqualTo(1);
        assertThat(s.points()).as("steps 100 to 2000, then 2100 again").isEqualTo(21);
        assertThat(s.point(s.windowSize() - 1).step()).isEqualTo(2100);
        assertThat(s.point(s.windowSize() - 1).val()).isEqualTo(0.456f);
    }

    @Test
    void shouldCutAFractionalEpochAtItsStep() {
        // Hugging Face: epoch 2.5 is step 250 at 100 steps an epoch; the points of epoch 2 up to step 250 stay
        List<TrainingEvent> events = new ArrayList<>();
        for (int step = 25; step <= 400; step += 25) {
            events.add(new MetricsReported("h", (long) (step / 100), (long) step, RunBuilder.START,
                    java.util.Map.of("train_loss", 2.0 - step / 1000.0), step / 100.0));
        }
        events.add(new RunStarted("h", RunBuilder.START, RunConfig.EMPTY, null, 2.5, 250L));
        RunState s = RunBuilder.analyze(events).state();
        assertThat(s.points()).isEqualTo(10);
        assertThat(s.point(9).step()).isEqualTo(250);

        // without the step, the epoch a fractional one falls in is kept whole: nothing of epoch 2 goes
        events.set(16, new RunStarted("h", RunBuilder.START, RunConfig.EMPTY, null, 2.5, null));
        RunState byEpoch = RunBuilder.analyze(events).state();
        assertThat(byEpoch.points()).isEqualTo(11);
        assertThat(byEpoch.point(10).step()).isEqualTo(275);
    }

    @Test
    void shouldCountEveryRestartAndGoOnAfterAFinishedRunResumes() {
        List<TrainingEvent> events = new ArrayList<>(overfitting("r").finished().events());
        events.add(resume("r", (double) BEST, null));
        events.add(resume("r", (double) BEST, null)); // (sent twice: the second drops nothing more)
        events.addAll(learningAfterTheBest("r", 20).finished().events());

        RunBuilder.Analysis a = RunBuilder.analyze(events);

        assertThat(a.state().restarts()).isEqualTo(2);
        assertThat(a.state().finished()).isTrue();
        assertThat(a.state().points()).isEqualTo(32);
        assertThat(a.last().diagnosis()).isNotEqualTo(Diagnosis.OVERFITTING);
        assertThat(a.last().epoch()).isGreaterThan(BEST);
    }
}
