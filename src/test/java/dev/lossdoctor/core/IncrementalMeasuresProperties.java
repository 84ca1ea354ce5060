package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What is kept up to date point by point equals what a pass over the points gives: the landmarks
 * of all of a run's points (first, best, first non-finite), on any run (points out of order,
 * duplicates, NaN and infinite losses, more points than the window holds), and after the state
 * went through its bytes.
 */
class IncrementalMeasuresProperties {

    @Provide
    Arbitrary<List<TrainingEvent>> anyRun() {
        return EventArbitraries.anyRun("any");
    }

    @Provide
    Arbitrary<List<TrainingEvent>> realisticRuns() {
        return EventArbitraries.realisticRun();
    }

    /** The landmarks of the evicted points and the whole window, gathered afresh. */
    static Aggregates fromScratch(RunState s) {
        Aggregates a = new Aggregates();
        a.copyFrom(s.evicted);
        a.addSorted(s, s.size);
        return a;
    }

    static void assertRunningEqualsFromScratch(RunState s, String when) {
        Aggregates fresh = fromScratch(s);
        assertThat(s.all).as("running aggregates %s", when).isEqualTo(fresh);
        assertThat(s.all.landmarks()).as("landmarks %s", when).isEqualTo(fresh.landmarks());
    }

    @Property(tries = 200, seed = "5150")
    void theRunningLandmarksEqualAFreshPassAfterEveryEventOfAnyRun(@ForAll("anyRun") List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState("any");
        for (int i = 0; i < events.size(); i++) {
            analyzer.apply(s, events.get(i));
            assertRunningEqualsFromScratch(s, "after event " + i);
        }
        RunState back = RunStateCodec.decode(RunStateCodec.encode(s));
        assertThat(back.all).as("rebuilt when decoded").isEqualTo(s.all);
    }

    @Property(tries = 100, seed = "5151")
    void theRunningLandmarksEqualAFreshPassWhenPointsArriveShuffled(@ForAll("realisticRuns") List<TrainingEvent> events,
                                                                    @ForAll Random random) {
        List<TrainingEvent> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, random);
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState(events.get(0).runId());
        for (int i = 0; i < shuffled.size(); i++) {
            analyzer.apply(s, shuffled.get(i));
            assertRunningEqualsFromScratch(s, "after shuffled event " + i);
        }
    }

    @Property(tries = 100, seed = "5152")
    void theMeasuresOfTheWholeWindowDoNotDependOnWhereTheLandmarksCameFrom(@ForAll("anyRun") List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState("any");
        for (TrainingEvent e : events) {
            analyzer.apply(s, e);
        }
        if (s.size == 0) {
            return;
        }
        Measures running = Measures.of(s, s.size - 1, new Aggregates());
        // the same state with its running aggregates thrown away and rebuilt by a pass
        RunState rebuilt = s.copy();
        rebuilt.all.copyFrom(new Aggregates());
        rebuilt.rebuildAll();
        Measures fresh = Measures.of(rebuilt, rebuilt.size - 1, new Aggregates());
        assertThat(running.all()).isEqualTo(fresh.all());
        assertThat(Rules.judge(running)).usingRecursiveComparison().isEqualTo(Rules.judge(fresh));
    }
}
