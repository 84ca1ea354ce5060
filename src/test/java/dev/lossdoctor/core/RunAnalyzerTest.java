package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.assertWellFormedTimeline;
import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.Diagnosis.LEARNING;
import static dev.lossdoctor.core.Diagnosis.MISCONFIGURED;
import static dev.lossdoctor.core.Diagnosis.STALLED;
import static dev.lossdoctor.core.Diagnosis.WARMING_UP;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static dev.lossdoctor.core.RunBuilder.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@link RunAnalyzer} does around the curve reading: config checks, stalled runs, replays, late points. */
class RunAnalyzerTest {

    private static RunBuilder learningRun(String id, int epochs) {
        return aRun(id).epochs(epochs)
                .trainCurve(e -> decay(e, 2.0, 0.2, 10))
                .valCurve(e -> decay(e, 2.1, 0.3, 10))
                .noise(0.005, 3);
    }

    // =====================================================================================
    @Nested
    class Misconfigured {

        static Stream<Arguments> badConfigs() {
            return Stream.of(
                    Arguments.of(config().task("classification").hidden("sigmoid").output("softmax").loss("cross_entropy"),
                            "hidden layers use sigmoid", "relu"),
                    Arguments.of(config().task("classification").hidden("relu").output("relu").loss("cross_entropy"),
                            "a classifier's output uses relu", "softmax"),
                    Arguments.of(config().task("regression").hidden("relu").output("softmax").loss("mse"),
                            "a regressor's output uses softmax", "linear"));
        }

        @ParameterizedTest(name = "{1}")
        @MethodSource("badConfigs")
        void shouldReportAMisconfigurationWhenTheRunStarts(RunBuilder.ConfigBuilder c, String problem, String fix) {
            Analysis run = learningRun("bad-config", 15).withConfig(c).analyze();

            DiagnosisEvent m = run.diagnoses().get(0);
            assertThat(m.diagnosis()).isEqualTo(MISCONFIGURED);
            assertThat(m.severity()).isEqualTo(Severity.WARNING);
            assertThat(m.previous()).isNull();
            assertThat(m.epoch()).isNull();
            assertThat(m.sinceEpoch()).isNull();
            assertThat(m.timestamp()).isEqualTo(RunBuilder.START);
            assertThat(m.evidence().get("config_problems")).asInstanceOf(
                    org.assertj.core.api.InstanceOfAssertFactories.list(String.class))
                    .singleElement().asString().startsWith(problem);
            assertThat(m.summary()).contains(problem);
            assertThat(m.recommendations()).anySatisfy(r -> assertThat(r).contains(fix));
            // the curve is still read afterwards
            assertWellFormedTimeline(run.diagnoses());
            assertThat(run.codes()).contains(LEARNING);
        }

        @Test
        void shouldListEveryProblemOfAConfig() {
            Analysis run = learningRun("two-problems", 3)
                    .withConfig(config().task("classification").hidden("sigmoid").output("relu")).analyze();

            DiagnosisEvent m = run.first(MISCONFIGURED);
            assertThat(m.evidence().get("config_problems")).asList().hasSize(2);
            assertThat(m.summary()).contains("2 problems").contains("sigmoid").contains("relu");
        }

        @Test
        void shouldAcceptASoundConfigIncludingLogitsWithCrossEntropy() {
            Analysis run = learningRun("sound", 3)
                    .withConfig(config().task("classification").hidden("relu").output("linear").loss("cross_entropy")
                            .optimizer("adam").lr(0.001).batchSize(32))
                    .analyze();

            assertThat(run.codes()).containsExactly(WARMING_UP);
            assertThat(run.diagnoses().get(0).epoch()).isNull();
        }

        @Test
        void shouldIgnoreAReplayedRunStarted() {
            RunAnalyzer analyzer = new RunAnalyzer();
            RunState state = new RunState("replay");
            RunConfig bad = config().task("regression").output("softmax").build();
            assertThat(analyzer.apply(state, new RunStarted("replay", RunBuilder.START, bad))).hasSize(1);
            assertThat(analyzer.apply(state, new RunStarted("replay", RunBuilder.START, bad))).isEmpty();
            assertThat(analyzer.apply(state, new RunStarted("replay", RunBuilder.START, RunConfig.EMPTY))).isEmpty();
            assertThat(state.config()).isEqualTo(bad);
        }
    }

    // =====================================================================================
    @Nested
    class Stalled {

        private final RunAnalyzer analyzer = new RunAnalyzer();
        private final Duration stallAfter = Duration.ofMinutes(5);

        private RunState runOf(List<TrainingEvent> events) {
            RunState s = new RunState(events.get(0).runId());
            events.forEach(e -> analyzer.apply(s, e));
            return s;
        }

        @Test
        void shouldMarkARunStalledWhenNothingArrivedForLongerThanTheLimit() {
            RunState s = runOf(learningRun("quiet", 10).events());
            Instant lastEvent = RunBuilder.START.plus(RunBuilder.INTERVAL.multipliedBy(10));
            assertThat(s.lastActivityMillis()).isEqualTo(lastEvent.toEpochMilli());

            assertThat(analyzer.checkStalled(s, lastEvent.plus(Duration.ofMinutes(4)), stallAfter)).isEmpty();
            assertThat(analyzer.checkStalled(s, lastEvent.plus(stallAfter), stallAfter)).as("exactly the limit").isEmpty();

            Instant now = lastEvent.plus(Duration.ofMinutes(30));
            Optional<DiagnosisEvent> stalled = analyzer.checkStalled(s, now, stallAfter);
            assertThat(stalled).isPresent();
            DiagnosisEvent e = stalled.get();
            assertThat(e.diagnosis()).isEqualTo(STALLED);
            assertThat(e.severity()).isEqualTo(Severity.WARNING);
            assertThat(e.previous()).isEqualTo(LEARNING);
            assertThat(e.epoch()).isEqualTo(10L);
            assertThat(e.timestamp()).isEqualTo(now);
            assertThat(e.evidence()).containsEntry("silent_seconds", 1800L)
                    .containsEntry("last_activity", lastEvent.toString());
            assertThat(e.summary()).contains("30 min").contains(lastEvent.toString());
            assertThat(s.current()).isEqualTo(STALLED);

            // said once
            assertThat(analyzer.checkStalled(s, now.plus(Duration.ofHours(1)), stallAfter)).isEmpty();
        }

        @Test
        void shouldReadTheCurveAgainWhenAStalledRunResumes() {
            List<TrainingEvent> events = learningRun("resumes", 14).events();
            RunState s = runOf(events.subList(0, 10));
            Instant lastEvent = RunBuilder.START.plus(RunBuilder.INTERVAL.multipliedBy(10));
            assertThat(analyzer.checkStalled(s, lastEvent.plus(Duration.ofHours(3)), stallAfter)).isPresent();

            List<DiagnosisEvent> after = events.subList(10, 14).stream().flatMap(e -> analyzer.apply(s, e).stream()).toList();
            assertThat(after).extracting(DiagnosisEvent::diagnosis).containsExactly(LEARNING);
            assertThat(after.get(0).previous()).isEqualTo(STALLED);
        }

        @Test
        void shouldNeverCallAFinishedRunStalled() {
            RunState s = runOf(learningRun("done", 10).finished().events());
            assertThat(analyzer.checkStalled(s, RunBuilder.START.plus(Duration.ofDays(3)), stallAfter)).isEmpty();
        }

        @Test
        void shouldNotCallARunWithoutAnyTimestampStalled() {
            RunState s = new RunState("no-time");
            analyzer.apply(s, new MetricsReported("no-time", 1L, null, null, Map.of("train_loss", 1.0)));
            assertThat(analyzer.checkStalled(s, RunBuilder.START, stallAfter)).isEmpty();
        }
    }

    // =====================================================================================
    @Nested
    class Finish {

        @Test
        void shouldLetTheVerdictStandWhenPointsArriveAfterIt() {
            List<TrainingEvent> events = new java.util.ArrayList<>(learningRun("late", 20).finished().events());
            events.addAll(aRun("late").firstEpoch(21).epochs(10).trainCurve(e -> 5.0 * e).valCurve(e -> 5.0 * e)
                    .metricsEvents());
            Analysis run = RunBuilder.analyze(events);

            assertThat(run.last().diagnosis()).isEqualTo(Diagnosis.UNDERTRAINED);
            assertThat(run.state().finished()).isTrue();
        }

        @Test
        void shouldSayNothingNewForASecondRunFinished() {
            RunAnalyzer analyzer = new RunAnalyzer();
            RunState s = new RunState("twice");
            learningRun("twice", 20).finished().events().forEach(e -> analyzer.apply(s, e));
            assertThat(analyzer.apply(s, new RunFinished("twice", 20L, "completed", RunBuilder.START))).isEmpty();
        }

        @Test
        void shouldGiveAVerdictForARunThatFinishesWithoutPoints() {
            Analysis run = RunBuilder.analyze(List.of(new RunFinished("empty", null, "failed", RunBuilder.START)));
            assertThat(run.codes()).containsExactly(WARMING_UP);
            assertThat(run.last().epoch()).isNull();
        }
    }

    /** The parser keeps times within 1970-9999, but the core takes any Instant, and one beyond a long of milliseconds too. */
    @Test
    void shouldNotThrowOnTimesBeyondTheMillisecondRange() {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState far = new RunState("far");
        org.assertj.core.api.Assertions.assertThatCode(() -> {
            analyzer.apply(far, new RunStarted("far", java.time.Instant.MIN, RunConfig.EMPTY));
            analyzer.apply(far, new MetricsReported("far", 1L, null, java.time.Instant.MAX, java.util.Map.of("train_loss", 1.0)));
            analyzer.checkStalled(far, java.time.Instant.MAX, java.time.Duration.ofMinutes(1));
        }).doesNotThrowAnyException();
        assertThat(far.points()).isEqualTo(1);
        assertThat(far.lastActivityMillis()).isPositive();
    }

    @Test
    void shouldReportTheRunsStatusWithItsCurveAndReadings() {
        Analysis run = learningRun("status", 12).analyze();
        RunStatus status = new RunAnalyzer().status(run.state());

        assertThat(status.runId()).isEqualTo("status");
        assertThat(status.diagnosis()).isEqualTo(LEARNING);
        assertThat(status.epoch()).isEqualTo(12L);
        assertThat(status.points()).isEqualTo(12);
        assertThat(status.curve()).hasSize(12);
        assertThat(status.curve().get(0).epoch()).isEqualTo(1L);
        assertThat(status.trainTrend()).isEqualTo("falling");
        assertThat(status.bestValEpoch()).isEqualTo(12L);
        assertThat(status.trainLoss()).isCloseTo(decay(12, 2.0, 0.2, 10), org.assertj.core.api.Assertions.within(0.02));
        assertThat(status.finished()).isFalse();
    }
}
