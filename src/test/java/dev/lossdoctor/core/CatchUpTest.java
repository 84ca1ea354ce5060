package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A run worse than its siblings' threshold that closes the gap in time does not lag; one that keeps its gap does. */
class CatchUpTest {

    private static Point val(long epoch, double v) {
        return new Point(epoch, Point.NONE, Float.NaN, (float) v, Float.NaN, Point.HAS_VAL);
    }

    /**
     * Six siblings s0..s5, val loss 0.1 (k + 1) + 1 / (e + 1), and the runs given: at epoch 4 (the
     * default warm-up of a 40-epoch run) the siblings' 20th percentile is 0.4, at epoch 2 0.533.
     */
    private static SweepStats sweep(long seed, Map<String, double[]> runs) {
        List<String[]> points = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            for (int e = 0; e <= 4; e++) {
                points.add(new String[] {"s" + r, "" + e, "" + (0.1 * (r + 1) + 1.0 / (e + 1))});
            }
        }
        runs.forEach((id, curve) -> {
            for (int e = 0; e < curve.length; e++) {
                points.add(new String[] {id, "" + e, "" + curve[e]});
            }
        });
        Collections.shuffle(points, new Random(seed));
        SweepStats stats = new SweepStats("sw");
        for (String[] p : points) {
            stats.add(p[0], val(Long.parseLong(p[1]), Double.parseDouble(p[2])), 40);
        }
        return stats;
    }

    /** Gap to the threshold 1.467 at epoch 2, 0.5 at 4: at that pace closed in ~1 epoch. */
    private static final Map<String, double[]> STARTER = Map.of("starter", new double[] {3.0, 2.5, 2.0, 1.4, 0.9});
    /** As fast as its siblings: the gap stays 0.6. */
    private static final Map<String, double[]> STEADY = Map.of("steady", new double[] {1.8, 1.3, 0.8 + 1.0 / 3, 1.05, 1.0});
    /** Closing, but by 0.1 in 2 epochs, of a gap of 0.5: 10 epochs to go, more than it has trained. */
    private static final Map<String, double[]> CREEPING = Map.of("creeping", new double[] {3.0, 2.0, 0.6 + 1.6 / 3, 1.05, 0.9});

    @Test
    void shouldNotStopASlowStarterThatClosesTheGapButStillARunThatKeepsIt() {
        for (long seed = 0; seed < 5; seed++) {
            Siblings starter = sweep(seed, STARTER).verdict("starter", 40, SweepRule.DEFAULT);
            assertThat(starter.at()).isEqualTo(4);
            assertThat(starter.threshold()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-3));
            assertThat(starter.own()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-3));
            assertThat(starter.rank()).isEqualTo(7); // last of the seven, yet closing in
            assertThat(starter.lagging()).isFalse();

            Siblings steady = sweep(seed, STEADY).verdict("steady", 40, SweepRule.DEFAULT);
            assertThat(steady.at()).isEqualTo(4);
            assertThat(steady.own()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
            assertThat(steady.lagging()).isTrue();
            assertThat(SweepWords.lagging(steady, 4, 40).summary())
                    .startsWith("Lagging its sweep sw: 6 of 6 siblings had a better validation loss by epoch 4")
                    .endsWith("and it is not gaining on them fast enough to catch up.");
            Siblings creeping = sweep(seed, CREEPING).verdict("creeping", 40, SweepRule.DEFAULT);
            assertThat(creeping.own()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-3));
            assertThat(creeping.lagging()).isTrue();
        }
    }

    @Test
    void shouldDecideFromTheTablesOnlyWhateverTheOrderOfThePoints() {
        Siblings first = sweep(0, STARTER).verdict("starter", 40, SweepRule.DEFAULT);
        for (long seed = 1; seed < 20; seed++) {
            assertThat(sweep(seed, STARTER).verdict("starter", 40, SweepRule.DEFAULT)).isEqualTo(first);
        }
    }

    @Test
    void shouldStillStopAStarterNearItsEndWhenTheGapWouldCloseOnlyAfterIt() {
        // the same curve in a 5-epoch run: 1 epoch left, the gap needs ~1.03
        SweepStats stats = sweep(0, STARTER);
        assertThat(stats.verdict("starter", 5, SweepRule.DEFAULT).lagging()).isTrue();
    }
}
