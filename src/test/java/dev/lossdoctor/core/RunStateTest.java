package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run's window: the newest points, sorted by epoch then step, each once; older ones only in the aggregates. */
class RunStateTest {

    private static Point point(long epoch, float train) {
        return new Point(epoch, Point.NONE, train, train * 1.1f, Float.NaN, Point.HAS_TRAIN | Point.HAS_VAL);
    }

    private static List<Long> epochs(RunState s) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < s.windowSize(); i++) {
            out.add(s.point(i).epoch());
        }
        return out;
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long e = from; e <= to; e++) {
            out.add(e);
        }
        return out;
    }

    @Test
    void shouldKeepTheNewestPointsInOrderWhenTheyArriveInOrder() {
        RunState s = new RunState("r");
        for (long e = 1; e <= 100; e++) {
            assertThat(s.insert(point(e, 1f / e))).isEqualTo((int) Math.min(e - 1, RunState.WINDOW - 1));
        }
        assertThat(epochs(s)).isEqualTo(range(100 - RunState.WINDOW + 1, 100));
        assertThat(s.points()).isEqualTo(100);
        assertThat(s.evicted.firstEpoch).isEqualTo(1);
        assertThat(s.evicted.bestTrain).isEqualTo(1f / (100 - RunState.WINDOW));
    }

    @Test
    void shouldPlaceALatePointInItsPlaceInAWindowThatIsNotFull() {
        RunState s = new RunState("r");
        for (long e : new long[] {1, 2, 4, 5}) {
            s.insert(point(e, 1f));
        }
        assertThat(s.insert(point(3, 0.5f))).isEqualTo(2);
        assertThat(epochs(s)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(s.point(2).train()).isEqualTo(0.5f);
    }

    @Test
    void shouldDropADuplicateKeepingTheFirstReport() {
        RunState s = new RunState("r");
        s.insert(point(1, 1f));
        s.insert(point(2, 0.9f));
        assertThat(s.insert(point(2, 0.1f))).isEqualTo(-1);
        assertThat(epochs(s)).containsExactly(1L, 2L);
        assertThat(s.point(1).train()).isEqualTo(0.9f);
    }

    @Test
    void shouldCountAPointOlderThanAFullWindowOnlyInTheAggregates() {
        RunState s = new RunState("r");
        for (long e = 11; e < 11 + RunState.WINDOW; e++) {
            s.insert(point(e, 1f));
        }
        assertThat(s.insert(point(3, 0.25f))).isEqualTo(RunState.ABSORBED);
        assertThat(epochs(s)).isEqualTo(range(11, 10 + RunState.WINDOW));
        assertThat(s.evicted.firstEpoch).isEqualTo(3);
        assertThat(s.evicted.bestTrain).isEqualTo(0.25f);
    }

    @Test
    void shouldPlaceALatePointInAFullWindowAndEvictTheOldest() {
        RunState s = new RunState("r");
        for (long e = 1; e <= 100; e++) {
            if (e != 80) {
                s.insert(point(e, 1f / e));
            }
        }
        assertThat(epochs(s)).isEqualTo(range(100 - RunState.WINDOW, 100).stream().filter(e -> e != 80).toList());

        s.insert(point(80, 1f / 80));

        assertThat(epochs(s)).as("the newest %d epochs, each once, in order", RunState.WINDOW)
                .isEqualTo(range(100 - RunState.WINDOW + 1, 100));
        assertThat(s.point(s.windowSize() - 1).train()).isEqualTo(1f / 100);
    }

    @Test
    void aCopyEqualsTheStateAndSharesNothingWithIt() {
        RunState s = new RunState("r");
        RunAnalyzer analyzer = new RunAnalyzer();
        analyzer.apply(s, new RunStarted("r", RunBuilder.START, RunConfig.EMPTY));
        for (long e = 1; e <= 100; e++) {
            analyzer.apply(s, new MetricsReported("r", e, e * 10, RunBuilder.START.plusSeconds(e),
                    java.util.Map.of("train_loss", 1.0 / e, "val_loss", 1.2 / e + 0.001 * e)));
        }
        RunState copy = s.copy();
        assertThat(copy).isEqualTo(s);
        assertThat(RunStateCodec.encode(copy)).isEqualTo(RunStateCodec.encode(s));

        analyzer.apply(copy, new MetricsReported("r", 101L, 1010L, RunBuilder.START.plusSeconds(101),
                java.util.Map.of("train_loss", 9.0, "val_loss", 9.0)));
        assertThat(copy.points()).isEqualTo(101);
        assertThat(s.points()).isEqualTo(100);
        assertThat(copy).isNotEqualTo(s);
        assertThat(epochs(s)).isEqualTo(range(100 - RunState.WINDOW + 1, 100));
    }
}
