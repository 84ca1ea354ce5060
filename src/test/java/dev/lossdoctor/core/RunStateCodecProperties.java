package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The state store's bytes for any run: small, and exactly the state back. */
class RunStateCodecProperties {

    @Provide
    Arbitrary<List<TrainingEvent>> realisticRuns() {
        return EventArbitraries.realisticRun();
    }

    @Provide
    Arbitrary<List<TrainingEvent>> anyRun() {
        return EventArbitraries.anyRun("any");
    }

    @Property(tries = 200, seed = "4242")
    void theStateOfAnyRunStaysWithinTwoKilobytesAndRoundTrips(@ForAll("realisticRuns") List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState(events.get(0).runId());
        int largest = 0;
        for (TrainingEvent e : events) {
            analyzer.apply(s, e);
            byte[] bytes = RunStateCodec.encode(s);
            largest = Math.max(largest, bytes.length);
            RunState back = RunStateCodec.decode(bytes);
            assertThat(back).isEqualTo(s);
            assertThat(RunStateCodec.encode(back)).isEqualTo(bytes);
        }
        assertThat(largest).as("largest serialized state of the run").isLessThanOrEqualTo(2048);
    }

    @Property(tries = 150, seed = "4243")
    void anyStateRoundTrips(@ForAll("anyRun") List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState("any");
        for (TrainingEvent e : events) {
            analyzer.apply(s, e);
        }
        RunState back = RunStateCodec.decode(RunStateCodec.encode(s));
        assertThat(back).isEqualTo(s);
        assertThat(back.config()).isEqualTo(s.config());
    }

    @Property(tries = 300, seed = "4244")
    void decodingAnyBytesGivesAStateOrIllegalArgumentException(@ForAll @Size(max = 400) byte[] bytes) {
        try {
            RunState s = RunStateCodec.decode(bytes);
            assertThat(s.windowSize()).isBetween(0, RunState.WINDOW);
        } catch (IllegalArgumentException expected) {
            // the one way to say no
        }
    }
}
