package dev.lossdoctor.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.TrainingEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PacingTest {

    private static final Instant T = Instant.parse("2026-01-05T09:00:00Z");

    private static MetricsReported point(String run, long epoch, Integer secondsAfterT) {
        return new MetricsReported(run, epoch, null, secondsAfterT == null ? null : T.plusSeconds(secondsAfterT),
                Map.of("train_loss", 1.0 / (epoch + 1)));
    }

    private static String label(Pacing.Timed t) {
        return t.event().runId() + (t.event() instanceof MetricsReported m ? m.epoch() : "end") + "@" + t.dueNanos() / 1_000_000;
    }

    @Test
    void shouldSendEverythingAtOnceInFileOrderWhenUnpaced() {
        List<TrainingEvent> events = List.of(point("a", 1, 0), point("b", 1, 500), point("a", 2, 60), point("b", 2, null));

        assertThat(Pacing.schedule(events, null)).extracting(PacingTest::label)
                .containsExactly("a1@0", "b1@0", "a2@0", "b2@0");
    }

    @Test
    void shouldStartEveryRunAtOnceKeepItsOwnPaceScaledBySpeedAndMergeTheRunsByDueTime() {
        // run b happened a day after run a: replayed side by side, each from its own first timestamp
        List<TrainingEvent> events = List.of(
                point("a", 1, 0), point("a", 2, 10), point("a", 3, 30),
                point("b", 1, 86_400), point("b", 2, 86_405), point("b", 3, 86_425));

        List<Pacing.Timed> schedule = Pacing.schedule(events, 10.0);

        assertThat(schedule).extracting(PacingTest::label).containsExactly("a1@0", "b1@0", "b2@500", "a2@1000", "b3@2500", "a3@3000");
    }

    @Test
    void shouldSendAnEventWithoutATimestampRightAfterTheOneBeforeItAndNeverGoBackInTime() {
        List<TrainingEvent> events = List.of(
                point("a", 1, null),          // before the run's first timestamp: at once
                point("a", 2, 0),
                point("a", 3, 20),
                point("a", 4, null),          // no timestamp: right after epoch 3
                point("a", 5, 10),            // a clock going back (a resumed run): waits for nothing
                point("a", 6, 40),
                new RunFinished("a", 6L, "completed", null),
                point("csv", 1, null), point("csv", 2, null)); // a run with no timestamps at all: at once

        assertThat(Pacing.schedule(events, 2.0)).extracting(PacingTest::label)
                .containsExactly("a1@0", "a2@0", "csv1@0", "csv2@0", "a3@10000", "a4@10000", "a5@10000", "a6@20000", "aend@20000");
        assertThat(Pacing.runsWithoutTimestamps(events)).containsExactly("csv");
    }

    @Test
    void shouldRejectASpeedThatIsNotAPositiveNumber() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> Pacing.schedule(List.of(), bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldReplayAtTheDueTimesAndStopWhenAsked() {
        List<TrainingEvent> events = List.of(point("a", 1, 0), point("a", 2, 1), point("a", 3, 2));
        RecordingPublisher sent = new RecordingPublisher();

        long start = System.nanoTime();
        long n = Pacing.replay(Pacing.schedule(events, 10.0), sent.publisher, () -> false);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(n).isEqualTo(3);
        assertThat(sent.producer.history()).extracting(r -> ((MetricsReported) r.value()).epoch()).containsExactly(1L, 2L, 3L);
        assertThat(millis).as("two gaps of 100 ms").isGreaterThanOrEqualTo(190);

        RecordingPublisher stopped = new RecordingPublisher();
        assertThat(Pacing.replay(Pacing.schedule(events, 1.0), stopped.publisher, () -> stopped.producer.history().size() >= 1))
                .isEqualTo(1);
    }

    private static final class RecordingPublisher {
        final org.apache.kafka.clients.producer.MockProducer<String, TrainingEvent> producer =
                new org.apache.kafka.clients.producer.MockProducer<>(true, null,
                        new org.apache.kafka.common.serialization.StringSerializer(), new dev.lossdoctor.streams.TrainingEventSerde());
        final EventPublisher publisher = new EventPublisher(producer, "t");
    }
}
