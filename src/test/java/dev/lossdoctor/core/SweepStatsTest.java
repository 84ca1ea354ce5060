package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ranking a run among its siblings at the same epoch, from bounded per-checkpoint bests. */
class SweepStatsTest {

    private static final SweepRule MEDIAN = SweepRule.DEFAULT.withPercentile(50);

    private static Point val(long epoch, double v) {
        return new Point(epoch, Point.NONE, Float.NaN, (float) v, Float.NaN, Point.HAS_VAL);
    }

    private static Point score(long epoch, double s) {
        return new Point(epoch, Point.NONE, Float.NaN, Float.NaN, (float) s, Point.HAS_VAL | 4);
    }

    /** Six siblings s0..s5 whose val loss at epoch e is base + 1/(e+1); bases 0.1 .. 0.6. */
    private static SweepStats sixSiblings(int epochs) {
        SweepStats stats = new SweepStats("s7");
        for (int r = 0; r < 6; r++) {
            for (int e = 0; e <= epochs; e++) {
                stats.add("s" + r, val(e, 0.1 * (r + 1) + 1.0 / (e + 1)));
            }
        }
        return stats;
    }

    @Test
    void shouldRankARunAgainstTheMedianOfItsSiblingsBestAtTheSameEpoch() {
        SweepStats stats = sixSiblings(12);
        for (int e = 0; e <= 12; e++) {
            stats.add("slow", val(e, 0.65 + 1.0 / (e + 1)));
        }

        Siblings s = stats.verdict("slow", 50, MEDIAN);

        assertThat(s.lagging()).isTrue();
        assertThat(s.at()).isEqualTo(12);
        assertThat(s.of()).isEqualTo(7);
        assertThat(s.rank()).isEqualTo(7);
        assertThat(s.counted()).isEqualTo(6);
        // siblings' bests at 12: 0.1k + 1/13 for k = 1..6: median (0.3 + 0.4)/2 + 1/13
        assertThat(s.median()).isCloseTo(0.35 + 1.0 / 13, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(s.own()).isCloseTo(0.65 + 1.0 / 13, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(stats.verdict("s0", 50, MEDIAN).lagging()).isFalse();
        assertThat(stats.verdict("s0", 50, MEDIAN).rank()).isEqualTo(1);
    }

    @Test
    void shouldSayNothingBeforeTheWarmUpOrWithFewerThanFiveSiblings() {
        SweepStats early = sixSiblings(4);
        for (int e = 0; e <= 4; e++) {
            early.add("slow", val(e, 5));
        }
        // warm-up: max(3, 10% of 60) = 6 epochs
        assertThat(early.verdict("slow", 60, MEDIAN)).isNull();
        assertThat(early.verdict("slow", 20, MEDIAN).lagging()).isTrue();

        SweepStats few = new SweepStats("few");
        for (int r = 0; r < 4; r++) {
            for (int e = 0; e <= 10; e++) {
                few.add("s" + r, val(e, 0.1));
            }
        }
        for (int e = 0; e <= 10; e++) {
            few.add("slow", val(e, 5));
        }
        assertThat(few.verdict("slow", null, MEDIAN)).isNull();
    }

    @Test
    void shouldCompareAtTheLatestEpochEnoughSiblingsReachedNotAtTheRunsOwn() {
        SweepStats stats = sixSiblings(8);
        for (int e = 0; e <= 30; e++) {
            stats.add("ahead", val(e, e <= 8 ? 5 : 0.01)); // bad until 8, best of all after
        }
        Siblings s = stats.verdict("ahead", null, MEDIAN);
        assertThat(s.at()).isEqualTo(8);
        assertThat(s.lagging()).isTrue();
    }

    @Test
    void shouldCountAFinishedSiblingWithItsBestAtLaterEpochs() {
        SweepStats stats = sixSiblings(5);
        for (int r = 0; r < 6; r++) {
            stats.finish("s" + r);
        }
        for (int e = 0; e <= 20; e++) {
            stats.add("long", val(e, 0.3));
        }
        Siblings s = stats.verdict("long", null, MEDIAN);
        assertThat(s.at()).isEqualTo(20);
        assertThat(s.of()).isEqualTo(7);
        // bests at 5 (carried on): 0.1k + 1/6 for k = 1..6; 0.3 beats all but s0 (0.267)
        assertThat(s.rank()).isEqualTo(2);
        assertThat(s.lagging()).isFalse();
    }

    @Test
    void shouldRankRunsWithoutAFiniteValidationLossByTheirScoreHigherBeingBetter() {
        SweepStats stats = new SweepStats("imagenet");
        for (int r = 0; r < 6; r++) {
            for (int e = 1; e <= 10; e++) {
                stats.add("s" + r, score(e, 0.05 * (r + 1) * e / 10.0));
            }
        }
        for (int e = 1; e <= 10; e++) {
            stats.add("low", score(e, 0.01 * e / 10.0));
        }
        Siblings s = stats.verdict("low", null, MEDIAN);
        assertThat(s.byScore()).isTrue();
        assertThat(s.lagging()).isTrue();
        assertThat(s.rank()).isEqualTo(7);
        assertThat(s.median()).isCloseTo(0.175, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(stats.verdict("s5", null, MEDIAN).rank()).isEqualTo(1);
    }

    @Test
    void shouldLagAtALowerPercentileOnlyWhenWorseThanMostSiblings() {
        SweepStats stats = sixSiblings(12);
        for (int e = 0; e <= 12; e++) {
            stats.add("middling", val(e, 0.45 + 1.0 / (e + 1)));
        }
        assertThat(stats.verdict("middling", null, MEDIAN).lagging()).isTrue();
        assertThat(stats.verdict("middling", null, SweepRule.DEFAULT.withPercentile(80)).lagging()).isFalse();
        assertThat(stats.verdict("middling", null, SweepRule.DEFAULT.withPercentile(20)).lagging()).isTrue();
    }

    @Test
    void shouldKeepCheckpointsBoundedAndDenseEarly() {
        assertThat(SweepStats.checkpoint(0)).isZero();
        assertThat(SweepStats.checkpoint(31)).isEqualTo(31);
        assertThat(SweepStats.floorIndex(100)).isLessThan(45);
        assertThat(SweepStats.floorIndex(1_000_000)).isLessThan(125);
        SweepStats stats = new SweepStats("big");
        stats.add("r", val(Long.MAX_VALUE / 2, 1));
        assertThat(stats.loss.length).isEqualTo(SweepStats.MAX_CHECKPOINTS);
        for (int i = 0; i < SweepStats.MAX_MEMBERS + 10; i++) {
            stats.add("m" + i, val(1, 1));
        }
        assertThat(stats.size()).isEqualTo(SweepStats.MAX_MEMBERS);
        assertThat(Map.of("full", stats.add("one-more", val(1, 1)))).containsEntry("full", false);
    }
}
