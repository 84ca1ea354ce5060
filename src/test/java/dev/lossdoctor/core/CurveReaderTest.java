package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.HEALTHY;
import static dev.lossdoctor.core.Curves.asDouble;
import static dev.lossdoctor.core.Curves.asLong;
import static dev.lossdoctor.core.Curves.assertWellFormedTimeline;
import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.Curves.percentAfter;
import static dev.lossdoctor.core.Curves.uShape;
import static dev.lossdoctor.core.Diagnosis.CONVERGED;
import static dev.lossdoctor.core.Diagnosis.DATA_ISSUE;
import static dev.lossdoctor.core.Diagnosis.DIVERGING;
import static dev.lossdoctor.core.Diagnosis.LEARNING;
import static dev.lossdoctor.core.Diagnosis.OSCILLATING;
import static dev.lossdoctor.core.Diagnosis.OVERFITTING;
import static dev.lossdoctor.core.Diagnosis.PLATEAU;
import static dev.lossdoctor.core.Diagnosis.UNDERFITTING;
import static dev.lossdoctor.core.Diagnosis.UNDERTRAINED;
import static dev.lossdoctor.core.Diagnosis.WARMING_UP;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static dev.lossdoctor.core.RunBuilder.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lossdoctor.core.RunBuilder.Analysis;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The diagnoses of DESIGN.md section 1 on textbook curves: every cell of the train/val table, the
 * whole-curve codes, the finish verdict, per-step runs, noise, odd scales. Each test checks the
 * code, its epoch window and since_epoch, and that evidence and summary carry the run's own numbers.
 */
class CurveReaderTest {

    // =====================================================================================
    @Nested
    @DisplayName("train falling")
    class TrainFalling {

        @Test
        void shouldDiagnoseLearningWhenBothLossesFall() {
            Analysis run = aRun("learning").epochs(20)
                    .trainCurve(e -> decay(e, 2.0, 0.1, 12))
                    .valCurve(e -> decay(e, 2.1, 0.2, 12))
                    .noise(0.01, 1).analyze();

            assertThat(run.codes()).containsExactly(WARMING_UP, LEARNING);
            assertWellFormedTimeline(run.diagnoses());
            DiagnosisEvent learning = run.first(LEARNING);
            assertThat(learning.epoch()).isBetween((long) Measures.MIN_POINTS, 8L);
            assertThat(learning.sinceEpoch()).isEqualTo(learning.epoch());
            assertThat(learning.severity()).isEqualTo(Severity.INFO);
            assertThat(learning.evidence())
                    .containsEntry("train_loss_trend", "falling")
                    .containsEntry("val_loss_trend", "falling");
            // the summary's rate is the curve's own: d/de of the decay relative to its level
            double e = learning.epoch();
            double trueRate = (decay(e, 2.0, 0.1, 12) - 0.1) / 12 / decay(e, 2.0, 0.1, 12);
            assertThat(percentAfter(learning.summary(), "Training loss is falling ")).isBetween(trueRate * 0.6, trueRate * 1.5);
            assertThat(asDouble(learning.evidence().get("train_change_per_epoch"))).isBetween(-trueRate * 1.5, -trueRate * 0.6);
            assertThat(learning.recommendations()).contains("Keep training");
        }

        @Test
        void shouldDiagnoseOverfittingSinceTheBestValidationEpoch() {
            RunBuilder b = aRun("overfit").epochs(30)
                    .trainCurve(e -> decay(e, 2.0, 0.05, 9))
                    .valCurve(e -> uShape(e, 2.1, 0.64, 14, 0.015));
            Analysis run = b.analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(b.valBestEpoch()).isEqualTo(14);
            DiagnosisEvent overfit = run.first(OVERFITTING);
            assertThat(run.codes()).doesNotContain(DIVERGING, PLATEAU, DATA_ISSUE);
            assertThat(run.codes().indexOf(OVERFITTING)).isGreaterThan(run.codes().indexOf(LEARNING));
            // three points after the best are needed, and it must not take long after that
            assertThat(overfit.epoch()).isBetween(17L, 21L);
            assertThat(overfit.sinceEpoch()).isEqualTo(14L);
            assertThat(overfit.severity()).isEqualTo(Severity.WARNING);
            assertThat(overfit.evidence())
                    .containsEntry("val_best_epoch", 14L)
                    .containsEntry("train_loss_trend", "falling");
            assertThat(asDouble(overfit.evidence().get("val_best_loss"))).isCloseTo(0.64, within(1e-3));
            assertThat(asDouble(overfit.evidence().get("val_rise_since_best"))).isPositive();
            assertThat(asDouble(overfit.evidence().get("train_drop_since_val_best"))).isGreaterThanOrEqualTo(0.2);
            assertThat(overfit.summary()).contains("epoch 14").contains(Text.num(0.64f));
            double rise = percentAfter(overfit.summary(), "risen ");
            double maxRise = (uShape(overfit.epoch(), 2.1, 0.64, 14, 0.015) - 0.64) / 0.64;
            assertThat(rise).isBetween(0.02, maxRise + 0.005);
            assertThat(overfit.recommendations()).anySatisfy(r -> assertThat(r).contains("restore the epoch-14 checkpoint"));
            assertThat(overfit.recommendations()).anySatisfy(r -> assertThat(r).containsIgnoringCase("regularization"));
            // it stays overfitting while validation keeps climbing
            assertThat(run.last().diagnosis()).isEqualTo(OVERFITTING);
        }

        @Test
        void shouldKeepLearningWhenValidationOnlySaturates() {
            // train falling, val flat (saturating): the first sign of overfitting, watch it; not yet overfitting
            Analysis run = aRun("saturating").epochs(30)
                    .trainCurve(e -> decay(e, 1.2, 0.3, 25))
                    .valCurve(e -> decay(e, 1.3, 0.9, 4))
                    .noise(0.004, 3).analyze();

            assertThat(run.codes()).doesNotContain(OVERFITTING, DIVERGING, DATA_ISSUE);
            assertWellFormedTimeline(run.diagnoses());
            DiagnosisEvent last = run.last();
            assertThat(last.diagnosis()).isEqualTo(LEARNING);
        }
    }

    // =====================================================================================
    @Nested
    @DisplayName("train flat")
    class TrainFlat {

        @Test
        void shouldDiagnoseDataIssueWhenOnlyValidationFalls() {
            Analysis run = aRun("data").epochs(25)
                    .trainCurve(e -> 1.0)
                    .valCurve(e -> decay(e, 1.0, 0.6, 6))
                    .noise(0.004, 5).analyze();

            assertThat(run.codes()).containsExactly(WARMING_UP, DATA_ISSUE);
            DiagnosisEvent d = run.first(DATA_ISSUE);
            assertThat(d.epoch()).isBetween((long) Measures.MIN_POINTS, 9L);
            assertThat(d.sinceEpoch()).isEqualTo(1L);
            assertThat(d.severity()).isEqualTo(Severity.WARNING);
            double valDrop = asDouble(d.evidence().get("val_drop_total"));
            double trainDrop = asDouble(d.evidence().get("train_drop_total"));
            assertThat(valDrop).isGreaterThanOrEqualTo(0.05);
            assertThat(Math.abs(trainDrop)).isLessThan(0.02);
            // the summary's fall is the run's own: val now against val at epoch 1
            double trueDrop = 1 - decay(d.epoch(), 1.0, 0.6, 6);
            assertThat(percentAfter(d.summary(), "Validation loss has fallen ")).isCloseTo(trueDrop, within(0.05));
            assertThat(d.summary()).contains("since epoch 1");
            assertThat(d.recommendations()).anySatisfy(r -> assertThat(r).containsIgnoringCase("labels"));
            assertThat(d.recommendations()).anySatisfy(r -> assertThat(r).containsIgnoringCase("split"));
        }

        @Test
        void shouldDiagnosePlateauAtChanceForAClassifierStuckAtLnC() {
            double lnC = Math.log(10);
            Analysis run = aRun("chance")
                    .withConfig(config().task("classification").loss("cross_entropy").classes(10).optimizer("sgd")
                            .lr(0.01).batchSize(64).hidden("relu").output("softmax"))
                    .epochs(20).trainCurve(e -> lnC).valCurve(e -> lnC + 0.001).noise(0.002, 11).analyze();

            assertThat(run.codes()).containsExactly(WARMING_UP, PLATEAU);
            DiagnosisEvent p = run.first(PLATEAU);
            assertThat(p.epoch()).isBetween((long) Measures.MIN_POINTS, 8L);
            assertThat(p.sinceEpoch()).isEqualTo(1L);
            assertThat(asDouble(p.evidence().get("chance_loss"))).isCloseTo(lnC, within(1e-3));
            assertThat(p.evidence()).containsEntry("flat_since", 1L).containsEntry("train_loss_trend", "flat");
            assertThat(p.summary()).contains("chance").contains("ln 10").contains(Text.num(lnC));
            // advice with the run's own learning rate and batch size, and the SGD advice
            assertThat(p.recommendations()).anySatisfy(r -> assertThat(r).contains("0.001 instead of 0.01").contains("64"));
            assertThat(p.recommendations()).anySatisfy(r -> assertThat(r).contains("SGD"));
        }

        @Test
        void shouldDiagnosePlateauAtChanceForABinaryClassifierWithoutConfig() {
            double ln2 = Math.log(2);
            Analysis run = aRun("binary-chance").epochs(15).trainCurve(e -> ln2).valCurve(e -> ln2)
                    .absoluteNoise(0.0003, 2).analyze();

            assertThat(run.codes()).containsExactly(WARMING_UP, PLATEAU);
            DiagnosisEvent p = run.first(PLATEAU);
            assertThat(p.sinceEpoch()).isEqualTo(1L);
            assertThat(asDouble(p.evidence().get("chance_loss"))).isCloseTo(ln2, within(1e-3));
            assertThat(p.summary()).contains("ln 2");
        }

        @Test
        void shouldDiagnosePlateauWhenALearningRateCutFreezesTheDescent() {
            // lr cut to ~0 at epoch 15: one last step down, then the weights stop moving
            Analysis run = aRun("lr-cut").withConfig(config().lr(0.1).optimizer("sgd")).epochs(35)
                    .trainCurve(e -> decay(Math.min(e, 15), 1.8, 0.25, 8))
                    .valCurve(e -> decay(Math.min(e, 15), 1.9, 0.35, 8))
                    .noise(1e-6, 4).analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).containsExactly(WARMING_UP, LEARNING, PLATEAU);
            DiagnosisEvent p = run.first(PLATEAU);
            assertThat(p.epoch()).isBetween(17L, 19L);
            assertThat(p.sinceEpoch()).isEqualTo(15L);
            assertThat(p.evidence()).containsEntry("flat_since", 15L);
            double step = (decay(14, 1.8, 0.25, 8) - decay(15, 1.8, 0.25, 8)) / decay(15, 1.8, 0.25, 8);
            assertThat(asDouble(p.evidence().get("step_into_flat"))).isCloseTo(step, within(0.01));
            assertThat(p.summary()).contains("epoch 15").contains(Text.num(decay(15, 1.8, 0.25, 8)));
            assertThat(p.recommendations()).anySatisfy(r -> assertThat(r).containsIgnoringCase("learning-rate schedule")
                    .contains("0.1"));
        }

        @Test
        void shouldDiagnosePlateauWhenTheLossIsFlatFromTheStartFarFromChance() {
            Analysis run = aRun("stuck").epochs(20).trainCurve(e -> 1.7).valCurve(e -> 1.75).noise(0.003, 8).analyze();

            assertThat(run.codes()).containsExactly(WARMING_UP, PLATEAU);
            DiagnosisEvent p = run.first(PLATEAU);
            assertThat(p.sinceEpoch()).isEqualTo(1L);
            assertThat(p.epoch()).isBetween(6L, 9L);
            assertThat(Curves.numberAfter(p.summary(), "Training loss has been flat at ")).isCloseTo(1.7, within(0.02));
            assertThat(p.summary()).contains("no real progress");
            assertThat(p.evidence()).doesNotContainKey("chance_loss");
        }

        @ParameterizedTest(name = "noise {0}, seed {1}")
        @CsvSource({"0.003, 5", "0.02, 2", "0.02, 5", "0.03, 1", "0.03, 5", "0.05, 4"})
        void shouldKeepCallingANoisyLossThatNeverFellAPlateau(double noise, long seed) {
            Analysis run = aRun("flat-" + seed).epochs(40).trainCurve(e -> 1.7).valCurve(e -> 1.87)
                    .noise(noise, seed).finished().analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).doesNotContain(CONVERGED, DATA_ISSUE, UNDERFITTING, OVERFITTING);
            List<Diagnosis> afterPlateau = run.codes().subList(run.codes().indexOf(PLATEAU), run.codes().size());
            assertThat(afterPlateau).containsOnly(PLATEAU);
        }

        @Test
        void shouldDiagnoseConvergedWhenARealDescentLevelsOffWithASmallGap() {
            Analysis run = aRun("converged").epochs(60)
                    .trainCurve(e -> decay(e, 1.5, 0.2, 4))
                    .valCurve(e -> decay(e, 1.55, 0.26, 4))
                    .noise(0.003, 21).finished().analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).allMatch(HEALTHY::contains);
            assertThat(run.codes()).startsWith(WARMING_UP, LEARNING).endsWith(CONVERGED);
            // finishing a converged run is no news: the last event is the converged one, not undertrained
            assertThat(run.codes()).doesNotContain(UNDERTRAINED);
            DiagnosisEvent c = run.first(CONVERGED);
            // not before the descent is nearly flat, and no later than a trend window (plus the
            // hysteresis) after it falls under the flat rate
            long flatFrom = firstEpochFallingSlowerThan(Measures.FLAT_RATE, e -> decay(e, 1.5, 0.2, 4));
            long nearlyFlatFrom = firstEpochFallingSlowerThan(3 * Measures.FLAT_RATE, e -> decay(e, 1.5, 0.2, 4));
            assertThat(c.epoch()).isBetween(nearlyFlatFrom, flatFrom + Measures.TREND_POINTS + 8);
            assertThat(c.sinceEpoch()).isLessThan(c.epoch()).isGreaterThanOrEqualTo(c.epoch() - Measures.TREND_POINTS);
            assertThat(asDouble(c.evidence().get("gap"))).isCloseTo(0.06, within(0.02));
            assertThat(c.evidence()).containsEntry("train_loss_trend", "flat");
            assertThat(Curves.numberAfter(c.summary(), "levelled off at ")).isCloseTo(0.2, within(0.005));
            double fall = percentAfter(c.summary(), "after falling ");
            assertThat(fall).isCloseTo(1 - 0.2 / decay(1, 1.5, 0.2, 4), within(0.03));
            long bestEpoch = asLong(c.evidence().get("val_best_epoch"));
            assertThat(c.recommendations()).anySatisfy(r -> assertThat(r).contains("epoch " + bestEpoch));
        }

        @Test
        void shouldReportValidationDegradingWhileTrainingStallsAsAProblem() {
            // train flat, val rising: check the validation pipeline, stop. No healthy reading fits it.
            Analysis run = aRun("val-degrading").epochs(30)
                    .trainCurve(e -> e <= 10 ? decay(e, 1.5, 0.4, 3) : decay(10, 1.5, 0.4, 3))
                    .valCurve(e -> e <= 10 ? decay(e, 1.6, 0.5, 3) : decay(10, 1.6, 0.5, 3) * (1 + 0.03 * (e - 10)))
                    .noise(0.003, 6).analyze();

            // from epoch 14 on validation climbs while training has stopped: whatever the code, not "a good fit"
            assertThat(run.diagnoses()).filteredOn(e -> e.epoch() != null && e.epoch() >= 14)
                    .noneMatch(e -> e.diagnosis() == CONVERGED);
            DiagnosisEvent last = run.last();
            assertThat(last.diagnosis()).isNotIn(LEARNING, CONVERGED, WARMING_UP);
            assertThat(last.severity()).isNotEqualTo(Severity.INFO);
        }
    }

    // =====================================================================================
    /** The first epoch at which the curve falls by less than {@code rate} of its level per epoch. */
    static long firstEpochFallingSlowerThan(double rate, java.util.function.DoubleUnaryOperator f) {
        for (long e = 1; e < 10_000; e++) {
            if ((f.applyAsDouble(e) - f.applyAsDouble(e + 1)) / Math.abs(f.applyAsDouble(e)) < rate) {
                return e;
            }
        }
        throw new AssertionError("never flat");
    }

    @Nested
    @DisplayName("train rising, non-finite")
    class Diverging {

        @Test
        void shouldDiagnoseDivergingWhenBothLossesClimbFromTheirBest() {
            Analysis run = aRun("diverge").withConfig(config().lr(0.1).optimizer("sgd")).epochs(18)
                    .trainCurve(e -> e <= 10 ? decay(e, 1.2, 0.3, 5) : decay(10, 1.2, 0.3, 5) * Math.exp((e - 10) / 4))
                    .valCurve(e -> e <= 10 ? decay(e, 1.3, 0.4, 5) : decay(10, 1.3, 0.4, 5) * Math.exp((e - 10) / 4))
                    .noise(0.002, 9).analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.last().diagnosis()).isEqualTo(DIVERGING);
            DiagnosisEvent d = run.first(DIVERGING);
            assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(d.epoch()).isBetween(12L, 16L);
            assertThat(d.sinceEpoch()).isEqualTo(10L);
            assertThat(d.evidence()).containsEntry("train_best_epoch", 10L).doesNotContainKey("non_finite_at");
            assertThat(asDouble(d.evidence().get("train_rise"))).isGreaterThanOrEqualTo(Rules.DIVERGING_RISE);
            assertThat(d.summary()).contains("epoch 10").contains("diverging");
            double best = asDouble(d.evidence().get("train_best_loss"));
            assertThat(best).isCloseTo(decay(10, 1.2, 0.3, 5), within(0.01));
            assertThat(Curves.numberAfter(d.summary(), "from its best ")).isCloseTo(best, within(best * 0.01));
            assertThat(d.recommendations()).anySatisfy(r -> assertThat(r).contains("0.01 instead of 0.1"));
            assertThat(run.codes()).doesNotContain(OVERFITTING);
        }

        @ParameterizedTest(name = "train_loss = {0}")
        @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300})
        void shouldDiagnoseDivergingAtOnceOnANonFiniteTrainingLoss(double bad) {
            Analysis run = aRun("nan").withConfig(config().lr(0.01)).epochs(16)
                    .trainCurve(e -> decay(e, 2.0, 0.2, 6))
                    .valCurve(e -> decay(e, 2.1, 0.3, 6))
                    .noise(0.01, 2).at(11, "train_loss", bad).analyze();

            assertWellFormedTimeline(run.diagnoses());
            DiagnosisEvent d = run.first(DIVERGING);
            assertThat(d.epoch()).as("at once: the very point").isEqualTo(11L);
            assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(d.evidence()).containsEntry("non_finite_at", 11L);
            assertThat(d.sinceEpoch()).isBetween(1L, 11L);
            assertThat(d.summary()).contains("non-finite").contains("epoch 11");
            assertThat(d.recommendations()).anySatisfy(r -> assertThat(r).contains("0.001 instead of 0.01"));
            // the finite points after it do not take it back
            assertThat(run.last()).isSameAs(d);
        }

        @Test
        void shouldDiagnoseDivergingAtOnceOnANonFiniteValidationLoss() {
            Analysis run = aRun("val-inf").epochs(12)
                    .trainCurve(e -> decay(e, 2.0, 0.2, 6))
                    .valCurve(e -> decay(e, 2.1, 0.3, 6))
                    .at(9, "val_loss", Double.POSITIVE_INFINITY).finished().analyze();

            DiagnosisEvent d = run.first(DIVERGING);
            assertThat(d.epoch()).isEqualTo(9L);
            assertThat(d.evidence()).containsEntry("non_finite_at", 9L);
            assertThat(run.last()).as("the verdict at run_finished keeps it").isSameAs(d);
        }

        @Test
        void shouldDiagnoseDivergingAtOnceOnANullLossFromTheWire() {
            EventParser parser = new EventParser();
            List<TrainingEvent> events = new ArrayList<>();
            for (int e = 1; e <= 8; e++) {
                String loss = e == 8 ? "null" : Double.toString(decay(e, 2.0, 0.2, 4));
                String json = "{\"run_id\":\"wire\",\"epoch\":" + e + ",\"loss\":" + loss + ",\"val_loss\":"
                        + decay(e, 2.1, 0.3, 4) + "}";
                ParseResult r = parser.parse(null, json.getBytes(StandardCharsets.UTF_8), RunBuilder.START);
                assertThat(r).isInstanceOf(ParseResult.Accepted.class);
                events.add(((ParseResult.Accepted) r).event());
            }
            Analysis run = RunBuilder.analyze(events);

            DiagnosisEvent d = run.last();
            assertThat(d.diagnosis()).isEqualTo(DIVERGING);
            assertThat(d.epoch()).isEqualTo(8L);
            assertThat(d.evidence()).containsEntry("non_finite_at", 8L);
        }
    }

    // =====================================================================================
    @Nested
    @DisplayName("whole curve")
    class WholeCurve {

        @Test
        void shouldDiagnoseOscillatingWithTheConfigsBatchSizeInTheAdvice() {
            java.util.Random rnd = new java.util.Random(17);
            int n = 30;
            double[] train = new double[n], val = new double[n];
            for (int i = 0; i < n; i++) {
                double sign = i % 2 == 0 ? 1 : -1;
                train[i] = 1.5 * (1 + sign * 0.15 * (0.7 + 0.6 * rnd.nextDouble()));
                val[i] = 1.6 * (1 - sign * 0.15 * (0.7 + 0.6 * rnd.nextDouble()));
            }
            Analysis run = aRun("osc").withConfig(config().batchSize(16).lr(0.05).optimizer("adam"))
                    .withTrainLoss(train).withValLoss(val).analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).doesNotContain(DIVERGING);
            assertThat(run.last().diagnosis()).isEqualTo(OSCILLATING);
            DiagnosisEvent o = run.first(OSCILLATING);
            assertThat(o.epoch()).isBetween(10L, 14L);
            assertThat(o.sinceEpoch()).isBetween(1L, o.epoch() - 9);
            assertThat(asDouble(o.evidence().get("relative_jump"))).isGreaterThan(0.15);
            assertThat(asDouble(o.evidence().get("reversal_rate"))).isGreaterThan(0.8);
            assertThat(o.summary()).contains("up and down");
            assertThat(percentAfter(o.summary(), "by about ")).isGreaterThan(0.15);
            assertThat(o.recommendations()).anySatisfy(r -> assertThat(r).containsIgnoringCase("batch size").contains("now 16"));
            assertThat(o.recommendations()).anySatisfy(r -> assertThat(r).contains("0.05"));
            assertThat(o.recommendations()).anySatisfy(r -> assertThat(r).contains("Adam").contains("SGD"));
        }

        @Test
        void shouldDiagnoseUnderfittingWhenTheLossCreepsDownAndStaysHighAfterTwentyEpochs() {
            Analysis run = aRun("underfit").withConfig(config().lr(0.001).optimizer("adam")).epochs(30)
                    .trainCurve(e -> 3.0 * (1 - 0.004 * (e - 1)))
                    .valCurve(e -> 3.1 * (1 - 0.004 * (e - 1)))
                    .noise(0.0005, 12).analyze();

            assertWellFormedTimeline(run.diagnoses());
            DiagnosisEvent u = run.first(UNDERFITTING);
            assertThat(u.epoch()).as("not before 20 epochs have passed").isBetween(21L, 24L);
            assertThat(u.sinceEpoch()).isEqualTo(1L);
            assertThat(u.severity()).isEqualTo(Severity.WARNING);
            assertThat(run.codes().subList(0, run.codes().indexOf(UNDERFITTING))).allMatch(HEALTHY::contains);
            double fallPerEpoch = percentAfter(u.summary(), "falling only ");
            double trueRate = 3.0 * 0.004 / (3.0 * (1 - 0.004 * (u.epoch() - 1)));
            assertThat(fallPerEpoch).isCloseTo(trueRate, within(0.0015));
            double share = percentAfter(u.summary(), "still at ");
            assertThat(share).isCloseTo(1 - 0.004 * (u.epoch() - 1), within(0.02));
            assertThat(u.summary()).contains("after " + (u.epoch() - 1) + " epochs");
            assertThat(u.recommendations()).anySatisfy(r -> assertThat(r).contains("0.01 instead of 0.001"));
            assertThat(u.recommendations()).anySatisfy(r -> assertThat(r).containsIgnoringCase("capacity"));
            assertThat(run.last().diagnosis()).isEqualTo(UNDERFITTING);
        }

        @Test
        void shouldGiveTheUndertrainedVerdictWhenARunFinishesStillFalling() {
            Analysis run = aRun("undertrained").epochs(20)
                    .trainCurve(e -> decay(e, 2.0, 0.1, 25))
                    .valCurve(e -> decay(e, 2.1, 0.2, 25))
                    .noise(0.005, 14).finished().analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).containsExactly(WARMING_UP, LEARNING, UNDERTRAINED);
            DiagnosisEvent u = run.last();
            assertThat(u.epoch()).isEqualTo(20L);
            assertThat(u.previous()).isEqualTo(LEARNING);
            assertThat(u.severity()).isEqualTo(Severity.INFO);
            assertThat(u.evidence()).containsEntry("train_loss_trend", "falling");
            assertThat(u.summary()).contains("still falling").contains("epoch 20");
            double trueRate = (decay(20, 2.0, 0.1, 25) - 0.1) / 25 / decay(20, 2.0, 0.1, 25);
            assertThat(percentAfter(u.summary(), "still falling (")).isBetween(trueRate * 0.5, trueRate * 1.6);
            assertThat(u.recommendations()).anySatisfy(r -> assertThat(r).containsIgnoringCase("train longer"));
        }

        @Test
        void shouldSayWarmingUpFirst() {
            Analysis run = aRun("warm").epochs(3).trainCurve(e -> decay(e, 2.0, 0.1, 5)).analyze();

            assertThat(run.codes()).containsExactly(WARMING_UP);
            DiagnosisEvent w = run.first(WARMING_UP);
            assertThat(w.epoch()).isEqualTo(1L);
            assertThat(w.previous()).isNull();
            assertThat(w.evidence()).containsEntry("points", 1L);
            assertThat(w.summary()).contains("1 so far");
            assertThat(w.severity()).isEqualTo(Severity.INFO);
        }

        @Test
        void shouldSayWarmingUpAtRunStartedWithASoundConfig() {
            Analysis run = aRun("warm-config")
                    .withConfig(config().task("classification").output("softmax").hidden("relu").loss("cross_entropy"))
                    .epochs(2).trainCurve(e -> 1.0 / e).analyze();

            assertThat(run.codes()).containsExactly(WARMING_UP);
            DiagnosisEvent w = run.first(WARMING_UP);
            assertThat(w.epoch()).isNull();
            assertThat(w.timestamp()).isEqualTo(RunBuilder.START);
            assertThat(w.evidence()).containsEntry("points", 0L);
        }
    }

    // =====================================================================================
    @Nested
    @DisplayName("per-step runs")
    class PerStep {

        @Test
        void shouldReadAPerStepRunPerEpochAndNotFlagItsNoise() {
            int stepsPerEpoch = 5;
            Analysis run = aRun("steps").perStep(stepsPerEpoch).epochs(14)
                    .trainCurve(e -> decay(e, 2.3, 0.2, 6))
                    .valCurve(e -> decay(e, 2.3, 0.3, 6))
                    .noise(0.02, 31).analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).allMatch(HEALTHY::contains).contains(LEARNING);
            DiagnosisEvent l = run.first(LEARNING);
            assertThat(l.step()).isNotNull();
            assertThat(l.step() % 100).isZero();
            // the rate is per epoch (five points), not per point
            double e = l.epoch() + (l.step() / 100 - 1) % stepsPerEpoch / (double) stepsPerEpoch;
            double perEpoch = (decay(e, 2.3, 0.2, 6) - 0.2) / 6 / decay(e, 2.3, 0.2, 6);
            assertThat(percentAfter(l.summary(), "falling ")).isBetween(perEpoch * 0.5, perEpoch * 1.6);
            assertThat(l.summary()).contains("per epoch");
        }

        @Test
        void shouldDiagnoseOverfittingInAPerStepRunSinceTheEpochOfTheBestValidation() {
            RunBuilder b = aRun("steps-overfit").perStep(4).epochs(25)
                    .trainCurve(e -> decay(e, 2.0, 0.05, 8))
                    .valCurve(e -> uShape(e, 2.1, 0.7, 12, 0.02));
            Analysis run = b.analyze();

            DiagnosisEvent o = run.first(OVERFITTING);
            assertThat(b.valBestEpoch()).isEqualTo(12L);
            assertThat(o.sinceEpoch()).isEqualTo(12L);
            assertThat(o.epoch()).isBetween(13L, 15L);
            assertThat(o.step()).isNotNull();
            assertThat(o.summary()).contains("epoch 12");
        }

        @Test
        void shouldCountStepsInARunThatReportsNoEpochs() {
            Analysis run = aRun("step-only").stepsOnly(50).epochs(20)
                    .trainCurve(e -> decay(e, 2.0, 0.2, 5))
                    .at(600, "train_loss", Double.NaN).analyze();

            assertThat(run.codes()).contains(LEARNING);
            DiagnosisEvent d = run.first(DIVERGING);
            assertThat(d.step()).isEqualTo(600L);
            assertThat(d.evidence()).containsEntry("non_finite_at", 600L);
            assertThat(d.summary()).contains("step 600");
        }

        @Test
        void shouldLeaveTheEpochOutOfEventsOfARunThatReportsOnlySteps() {
            Analysis run = aRun("step-only").stepsOnly(50).epochs(20)
                    .trainCurve(e -> decay(e, 2.0, 0.2, 5))
                    .at(600, "train_loss", Double.NaN).analyze();

            assertThat(run.diagnoses()).hasSizeGreaterThanOrEqualTo(3);
            assertThat(run.diagnoses()).allSatisfy(e -> {
                assertThat(e.epoch()).as("epoch of %s", e.diagnosis()).isNull();
                assertThat(e.step()).as("step of %s", e.diagnosis()).isNotNull().isPositive();
                assertThat(e.sinceEpoch()).as("since of %s", e.diagnosis()).isNotNull().isNotNegative();
            });
        }
    }

    // =====================================================================================
    @Nested
    @DisplayName("noise, scale, sign and direction")
    class NoiseAndScale {

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
        void shouldNotFlagAHealthyNoisyDescent(long seed) {
            Analysis run = aRun("noisy-" + seed).epochs(40)
                    .trainCurve(e -> decay(e, 2.5, 0.3, 15))
                    .valCurve(e -> decay(e, 2.6, 0.4, 15))
                    .noise(0.04, seed).finished().analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).as("codes").allMatch(HEALTHY::contains);
            // at epoch 40 it still falls ~2.5% an epoch: the verdict is undertrained, not converged
            assertThat(run.last().diagnosis()).isEqualTo(UNDERTRAINED);
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {11, 12, 13, 14, 15, 16})
        void shouldNotFlagANoisyPerStepDescent(long seed) {
            Analysis run = aRun("noisy-steps-" + seed).perStep(10).valAtEpochEnd().epochs(12)
                    .trainCurve(e -> decay(e, 2.3, 0.4, 5))
                    .valCurve(e -> decay(e, 2.3, 0.5, 5))
                    .noise(0.05, seed).analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).as("codes").allMatch(HEALTHY::contains);
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {101, 102, 103, 104, 105, 106})
        void shouldNotCallOverfittingBeforeANoisyValidationLossReallyRises(long seed) {
            int bestEpoch = 30;
            RunBuilder b = aRun("noisy-val-" + seed).epochs(50)
                    .trainCurve(e -> decay(e, 1.5, 0.05, 25))
                    .valCurve(e -> uShape(e, 1.6, 0.72, bestEpoch, 0.02))
                    .noise(0.03, seed);
            Analysis run = b.analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.diagnoses()).filteredOn(e -> e.epoch() != null && e.epoch() <= bestEpoch)
                    .extracting(DiagnosisEvent::diagnosis).allMatch(HEALTHY::contains);
            DiagnosisEvent o = run.first(OVERFITTING);
            assertThat(o.epoch()).as("the rise (2.8% an epoch) is seen within 15 epochs").isBetween(bestEpoch + 1L, bestEpoch + 15L);
            long noisyBest = b.valBestEpoch();
            assertThat(noisyBest).isBetween(bestEpoch - 6L, bestEpoch + 3L);
            assertThat(o.sinceEpoch()).isEqualTo(noisyBest);
            assertThat(o.evidence()).containsEntry("val_best_epoch", noisyBest);
            assertThat(o.summary()).contains("epoch " + noisyBest);
        }

        @Test
        void shouldReadANegativeLossLikeAnyOther() {
            // an ELBO-style loss shifted below 0: falls from -100 toward -160
            RunBuilder b = aRun("elbo").epochs(70)
                    .trainCurve(e -> -100 - 60 * (1 - Math.exp(-(e - 1) / 8)))
                    .valCurve(e -> -95 - 56 * (1 - Math.exp(-(e - 1) / 8)))
                    .absoluteNoise(0.2, 41);
            Analysis run = b.analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).allMatch(HEALTHY::contains);
            assertThat(run.codes()).contains(LEARNING).endsWith(CONVERGED);
            DiagnosisEvent learning = run.first(LEARNING);
            assertThat(learning.evidence()).containsEntry("train_loss_trend", "falling").containsEntry("val_loss_trend", "falling");
            assertThat(asDouble(learning.evidence().get("train_change_per_epoch"))).isNegative();
            DiagnosisEvent converged = run.first(CONVERGED);
            assertThat(asDouble(converged.evidence().get("train_loss"))).isCloseTo(-160, within(1.0));
            assertThat(percentAfter(converged.summary(), "after falling ")).isCloseTo(0.6, within(0.03));
            // trends read at each prefix: falling early, flat at the end
            List<Trend> trends = trainTrends(b.events());
            assertThat(trends.subList(4, 15)).containsOnly(Trend.FALLING);
            assertThat(trends.subList(60, 70)).containsOnly(Trend.FLAT);
        }

        @Test
        void shouldSeeAFallingTrendOnALossThatCrossesZero() {
            List<Trend> trends = trainTrends(aRun("cross-zero").epochs(30).trainCurve(e -> 1.0 - 0.1 * e)
                    .absoluteNoise(0.005, 3).events());
            assertThat(trends.subList(Measures.MIN_POINTS, 30)).containsOnly(Trend.FALLING);
        }

        @Test
        void shouldSeeARisingTrendOnANegativeLossThatClimbs() {
            List<Trend> trends = trainTrends(aRun("neg-rise").epochs(20).trainCurve(e -> -50 + 2 * e)
                    .absoluteNoise(0.1, 3).events());
            assertThat(trends.subList(Measures.MIN_POINTS, 20)).containsOnly(Trend.RISING);
        }

        @Test
        void shouldReadTrainingLossAloneWhenValidationReportsOnlyAccuracy() {
            Analysis run = aRun("acc-only").epochs(20)
                    .trainCurve(e -> decay(e, 2.0, 0.2, 8))
                    .curve("val_accuracy", e -> 0.9 - 0.4 * Math.exp(-(e - 1) / 8))
                    .noise(0.005, 5).finished().analyze();

            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).allMatch(HEALTHY::contains).contains(LEARNING);
            DiagnosisEvent l = run.first(LEARNING);
            assertThat(l.evidence()).containsEntry("train_loss_trend", "falling")
                    .doesNotContainKey("val_loss").doesNotContainKey("val_loss_trend");
        }

        @Test
        void shouldIgnoreARunThatReportsNoLossAtAll() {
            Analysis run = aRun("no-loss").epochs(10)
                    .curve("train_accuracy", e -> 0.5 + 0.04 * e)
                    .curve("val_accuracy", e -> 0.5 + 0.035 * e).finished().analyze();

            assertThat(run.state().points()).isZero();
            assertThat(run.codes()).allMatch(d -> d == WARMING_UP);
        }
    }

    /** The training-loss trend the reader sees at every prefix of a run (index i: the first i+1 points). */
    static List<Trend> trainTrends(List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        CurveReader reader = new CurveReader();
        RunState state = new RunState(events.get(0).runId());
        List<Trend> trends = new ArrayList<>();
        for (TrainingEvent e : events) {
            analyzer.apply(state, e);
            if (e instanceof MetricsReported) {
                trends.add(reader.measure(state, state.size - 1).train().trend());
            }
        }
        return trends;
    }
}
