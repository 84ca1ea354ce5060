package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Kafka delivers duplicates and points out of order; the result must not depend on them.
 * Duplicates change no diagnosis event at all. Any order of the points gives the same window,
 * the same readings (a function of the set of points) and so the same final diagnosis: at
 * run_finished always, and for a run still going once its readings have settled (while they
 * disagree, what was last said stands, and that depends on what came when).
 */
class OrderIndependenceProperties {

    @Provide
    Arbitrary<Families> families() {
        return Arbitraries.of(Families.class);
    }

    private static RunBuilder run(Families family, long seed, int epochs, double noise, int stepsPerEpoch, boolean finished) {
        RunBuilder b = family.run("order", seed, epochs, noise).perStep(stepsPerEpoch)
                .withConfig(RunBuilder.config().lr(0.01).batchSize(32));
        return finished ? b.finished() : b;
    }

    @Property(tries = 200, seed = "31415")
    void duplicatingPointsAnywhereChangesNoDiagnosisEvent(
            @ForAll("families") Families family,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 5, max = 120) int epochs,
            @ForAll @DoubleRange(min = 0, max = 0.06) double noise,
            @ForAll @IntRange(min = 1, max = 3) int stepsPerEpoch,
            @ForAll boolean finished,
            @ForAll @DoubleRange(min = 0.01, max = 1) double duplicateShare,
            @ForAll long shuffleSeed) {
        List<TrainingEvent> events = run(family, seed, epochs, noise, stepsPerEpoch, finished).events();
        Random rnd = new Random(shuffleSeed);
        // each chosen point is sent again later, anywhere after the first copy (even after run_finished)
        List<TrainingEvent> withCopies = new ArrayList<>(events);
        for (TrainingEvent e : events) {
            if (e instanceof MetricsReported && rnd.nextDouble() < duplicateShare) {
                int first = withCopies.indexOf(e);
                int copies = 1 + rnd.nextInt(2);
                for (int c = 0; c < copies; c++) {
                    withCopies.add(first + 1 + rnd.nextInt(withCopies.size() - first), e);
                }
            }
        }

        RunBuilder.Analysis once = RunBuilder.analyze(events);
        RunBuilder.Analysis duplicated = RunBuilder.analyze(withCopies);

        assertThat(duplicated.diagnoses()).isEqualTo(once.diagnoses());
        assertThat(duplicated.state().points()).isEqualTo(once.state().points());
    }

    @Property(tries = 200, seed = "27183")
    void reorderingThePointsKeepsTheSameWindow(
            @ForAll("families") Families family,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 5, max = 120) int epochs,
            @ForAll @IntRange(min = 1, max = 3) int stepsPerEpoch,
            @ForAll long shuffleSeed) {
        List<TrainingEvent> inOrder = run(family, seed, epochs, 0.02, stepsPerEpoch, true).events();
        RunState ordered = RunBuilder.analyze(inOrder).state();
        RunState reordered = RunBuilder.analyze(shuffleThePoints(inOrder, new Random(shuffleSeed))).state();

        assertThat(reordered.windowSize()).isEqualTo(ordered.windowSize());
        for (int i = 0; i < ordered.windowSize(); i++) {
            assertThat(reordered.point(i)).as("point %d of the window", i).isEqualTo(ordered.point(i));
        }
        assertThat(reordered.evicted).isEqualTo(ordered.evicted);
    }

    @Property(tries = 200, seed = "27182")
    void reorderingThePointsGivesTheSameFinalDiagnosis(
            @ForAll("families") Families family,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 5, max = 120) int epochs,
            @ForAll @DoubleRange(min = 0, max = 0.06) double noise,
            @ForAll @IntRange(min = 1, max = 3) int stepsPerEpoch,
            @ForAll boolean finished,
            @ForAll long shuffleSeed) {
        List<TrainingEvent> inOrder = run(family, seed, epochs, noise, stepsPerEpoch, finished).events();
        List<TrainingEvent> shuffled = shuffleThePoints(inOrder, new Random(shuffleSeed));

        RunState ordered = RunBuilder.analyze(inOrder).state();
        RunState reordered = RunBuilder.analyze(shuffled).state();

        assertThat(reordered.windowSize()).isEqualTo(ordered.windowSize());
        for (int i = 0; i < ordered.windowSize(); i++) {
            assertThat(reordered.point(i)).isEqualTo(ordered.point(i));
        }
        assertThat(reordered.settledReading()).as("final reading of %s", family).isEqualTo(ordered.settledReading());
        // the time-based hysteresis holds what was said for a while: the said diagnosis follows the
        // points once it lets go (or at run_finished)
        if (finished || ordered.settledReading() != null && !ordered.dwelling() && !reordered.dwelling()) {
            assertThat(reordered.current()).as("final diagnosis of %s", family).isEqualTo(ordered.current());
        }
    }

    @Property(tries = 200, seed = "16180")
    void pointsArrivingAFewPlacesLateGiveTheSameFinalDiagnosis(
            @ForAll("families") Families family,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 5, max = 120) int epochs,
            @ForAll @DoubleRange(min = 0, max = 0.06) double noise,
            @ForAll boolean finished,
            @ForAll long shuffleSeed) {
        // what a Kafka topic with a few partitions or retries really does: local swaps, not a full shuffle
        List<TrainingEvent> inOrder = run(family, seed, epochs, noise, 1, finished).events();
        List<TrainingEvent> late = new ArrayList<>(inOrder);
        Random rnd = new Random(shuffleSeed);
        int firstPoint = 1, lastPoint = late.size() - (finished ? 2 : 1);
        for (int i = firstPoint; i < lastPoint; i++) {
            if (rnd.nextDouble() < 0.3) {
                int j = Math.min(lastPoint, i + 1 + rnd.nextInt(3));
                Collections.swap(late, i, j);
            }
        }

        RunState ordered = RunBuilder.analyze(inOrder).state();
        RunState swapped = RunBuilder.analyze(late).state();
        assertThat(swapped.settledReading()).isEqualTo(ordered.settledReading());
        if (finished || ordered.settledReading() != null && !ordered.dwelling() && !swapped.dwelling()) {
            assertThat(swapped.current()).isEqualTo(ordered.current());
        }
    }

    /**
     * Restarts (DESIGN.md section 2): a run's records come in order on its partition, so a resume
     * comes after the points before it; between two resumes, duplicates and points out of order
     * still change nothing of the final window, readings and verdict.
     */
    @Property(tries = 150, seed = "14142")
    void duplicatesAndPointsOutOfOrderBetweenRestartsGiveTheSameResult(
            @ForAll("families") Families first, @ForAll("families") Families second, @ForAll("families") Families third,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 3, max = 60) int epochs,
            @ForAll @IntRange(min = 1, max = 2) int stepsPerEpoch,
            @ForAll @DoubleRange(min = 0, max = 1) double firstCut,
            @ForAll @DoubleRange(min = 0, max = 1) double secondCut,
            @ForAll long shuffleSeed) {
        List<List<TrainingEvent>> segments = new ArrayList<>();
        List<TrainingEvent> resumes = new ArrayList<>();
        long firstEpoch = 1;
        Families[] families = {first, second, third};
        double[] cuts = {firstCut, secondCut};
        for (int k = 0; k < 3; k++) {
            RunBuilder b = families[k].run("order", seed + k, epochs, 0.02).perStep(stepsPerEpoch).firstEpoch(firstEpoch);
            segments.add(new ArrayList<>(k == 2 ? b.finished().events() : b.events()));
            if (k < 2) {
                long resumedFrom = firstEpoch - 1 + Math.round(cuts[k] * epochs); // anywhere in the segment, or before it
                resumes.add(new RunStarted("order", RunBuilder.START, RunConfig.EMPTY, null, (double) resumedFrom, null));
                firstEpoch = resumedFrom + 1;
            }
        }
        Random rnd = new Random(shuffleSeed);
        List<TrainingEvent> inOrder = new ArrayList<>(), messy = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            inOrder.addAll(segments.get(k));
            List<TrainingEvent> segment = shuffleThePoints(segments.get(k), rnd);
            for (TrainingEvent e : List.copyOf(segment)) {
                if (e instanceof MetricsReported && rnd.nextDouble() < 0.2) { // a copy, after the first one, before the resume
                    int at = segment.indexOf(e);
                    int end = segment.size() - (k == 2 ? 1 : 0);
                    segment.add(at + 1 + rnd.nextInt(end - at), e);
                }
            }
            messy.addAll(segment);
            if (k < 2) {
                inOrder.add(resumes.get(k));
                messy.add(resumes.get(k));
            }
        }

        RunState ordered = RunBuilder.analyze(inOrder).state();
        RunState other = RunBuilder.analyze(messy).state();

        assertThat(other.restarts()).isEqualTo(ordered.restarts()).isEqualTo(2);
        assertThat(other.windowSize()).isEqualTo(ordered.windowSize());
        for (int i = 0; i < ordered.windowSize(); i++) {
            assertThat(other.point(i)).as("point %d of the window", i).isEqualTo(ordered.point(i));
        }
        assertThat(other.evicted).isEqualTo(ordered.evicted);
        assertThat(other.settledReading()).isEqualTo(ordered.settledReading());
        assertThat(other.current()).as("the verdict").isEqualTo(ordered.current());
    }

    /** run_started first, run_finished last, the metrics in between in a random order. */
    static List<TrainingEvent> shuffleThePoints(List<TrainingEvent> events, Random rnd) {
        List<TrainingEvent> head = new ArrayList<>(), points = new ArrayList<>(), tail = new ArrayList<>();
        for (TrainingEvent e : events) {
            (e instanceof RunStarted ? head : e instanceof RunFinished ? tail : points).add(e);
        }
        Collections.shuffle(points, rnd);
        List<TrainingEvent> out = new ArrayList<>(head);
        out.addAll(points);
        out.addAll(tail);
        return out;
    }
}
