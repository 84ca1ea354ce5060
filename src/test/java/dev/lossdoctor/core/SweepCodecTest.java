package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored forms of a sweep's statistics and of a sweep run's overlay: round trips, and format 1 stays readable. */
class SweepCodecTest {

    static final Path GOLDEN = Path.of("src/test/resources/codec/sweep/v1");
    static final Path GOLDEN_V2 = Path.of("src/test/resources/codec/sweep/v2");
    private static final SweepRule RULE = SweepRule.DEFAULT;

    private static Point val(long epoch, double v) {
        return new Point(epoch, Point.NONE, Float.NaN, (float) v, Float.NaN, Point.HAS_VAL);
    }

    private static Point score(long epoch, double s) {
        return new Point(epoch, Point.NONE, Float.NaN, Float.NaN, (float) s, Point.HAS_VAL | Point.HAS_VAL_SCORE);
    }

    /** Seven runs by loss (one slow, one finished early), two by score only; 40 epochs (past the dense checkpoints). */
    static SweepStats sweep() {
        SweepStats s = new SweepStats("sw-1");
        for (int r = 0; r < 7; r++) {
            int last = r == 3 ? 10 : 40;
            for (int e = 1; e <= last; e++) {
                s.add("r" + r, val(e, 0.1 * r + (r == 6 ? 2.0 : 1.0) / e), r == 6 ? 40 : null);
                s.verdicts("r" + r, RULE);
                s.active(1_764_151_200_000L + 60_000L * e);
            }
        }
        s.finish("r3");
        s.verdicts("r3", RULE);
        for (int e = 1; e <= 12; e++) {
            s.add("acc0", score(e, 0.5 + 0.01 * e));
            s.add("acc1", score(e, 0.4 + 0.01 * e));
        }
        return s;
    }

    private static void assertSameVerdicts(SweepStats a, SweepStats b) {
        assertThat(b.sweepId()).isEqualTo(a.sweepId());
        assertThat(b.members).isEqualTo(a.members);
        assertThat(b.allFinished()).isEqualTo(a.allFinished());
        for (String run : a.members) {
            for (Integer max : new Integer[] {null, 40}) {
                assertThat(b.verdict(run, max, RULE)).as(run).isEqualTo(a.verdict(run, max, RULE));
            }
        }
    }

    @Test
    void shouldReadBackTheSameStatisticsAndKeepCountingFromThem() {
        SweepStats original = sweep();
        SweepStats read = SweepCodec.decodeStats(SweepCodec.encode(original));
        assertSameVerdicts(original, read);
        assertThat(original.verdict("r6", 40, RULE).lagging()).isTrue();

        for (int e = 41; e <= 60; e++) { // past the last allocated checkpoint
            original.add("r6", val(e, 0.01));
            read.add("r6", val(e, 0.01));
        }
        assertSameVerdicts(original, read);
        assertThat(SweepCodec.encode(read)).isEqualTo(SweepCodec.encode(original));
    }

    @Test
    void shouldReadBackAMembersOverlay() {
        Siblings latest = new Siblings("sw-1", 12, false, false, 7, 8, 0.41, 0.3, 0.58, true);
        DiagnosisEvent lagging = new DiagnosisEvent("r6", 12L, null, Diagnosis.LAGGING, Diagnosis.LEARNING, 12L, 0.9,
                "Lagging its sweep sw-1", List.of("stop: 6 of 7 siblings were better"), Map.of("rank", 7),
                Instant.parse("2026-11-26T10:12:00.5Z"));
        SweepCodec.Member m = SweepCodec.decodeMember(SweepCodec.encode(new SweepCodec.Member("sw-1",
                new SiblingOverlay(true, lagging, latest))));
        assertThat(m.sweepId()).isEqualTo("sw-1");
        assertThat(m.overlay().lagging()).isTrue();
        assertThat(m.overlay().latest()).isEqualTo(latest);
        assertThat(m.overlay().laggingEvent()).usingRecursiveComparison().ignoringFields("evidence").isEqualTo(lagging);

        SweepCodec.Member fresh = SweepCodec.decodeMember(SweepCodec.encode(new SweepCodec.Member("sw-2", new SiblingOverlay())));
        assertThat(fresh.overlay().lagging()).isFalse();
        assertThat(fresh.overlay().latest()).isNull();
    }

    @Test
    void shouldRefuseBytesOfAnotherKindOrAnUnknownFormat() {
        byte[] stats = SweepCodec.encode(sweep());
        assertThatThrownBy(() -> SweepCodec.decodeMember(stats)).isInstanceOf(IllegalArgumentException.class);
        stats[1] = 9;
        assertThatThrownBy(() -> SweepCodec.decodeStats(stats)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format 9");
        byte[] cut = Arrays.copyOf(SweepCodec.encode(sweep()), 40);
        assertThatThrownBy(() -> SweepCodec.decodeStats(cut)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Format 1 as committed keeps decoding to the same statistics, its runs' given verdicts and times unknown. */
    @Test
    void shouldStillReadFormatOne() throws IOException {
        SweepStats read = SweepCodec.decodeStats(Files.readAllBytes(GOLDEN));
        assertSameVerdicts(sweep(), read);
        assertThat(read.lastActivityMillis()).isEqualTo(Long.MIN_VALUE);
        assertThat(read.givenAt).containsOnly(-1);
        assertThat(read.maxEpochs).containsOnly(-1);
    }

    /**
     * Format 2 as committed keeps decoding to the same statistics, with each run's max_epochs, the
     * verdict it was last given and the sweep's last record time (regenerate only for a new format, beside it).
     */
    @Test
    void shouldStillReadFormatTwo() throws IOException {
        if (Boolean.getBoolean("lossdoctor.writeSweepGolden")) {
            Files.write(GOLDEN_V2, SweepCodec.encode(sweep()));
        }
        SweepStats original = sweep(), read = SweepCodec.decodeStats(Files.readAllBytes(GOLDEN_V2));
        assertSameVerdicts(original, read);
        assertThat(read.lastActivityMillis()).isEqualTo(original.lastActivityMillis()).isEqualTo(1_764_151_200_000L + 2_400_000L);
        assertThat(read.maxEpochs).isEqualTo(original.maxEpochs).contains(40);
        assertThat(read.givenAt).isEqualTo(original.givenAt).contains(SweepStats.floorIndex(40));
        assertThat(read.givenOf).isEqualTo(original.givenOf);
        assertThat(read.givenLagging).isEqualTo(original.givenLagging);
        assertThat(SweepCodec.encode(read)).isEqualTo(Files.readAllBytes(GOLDEN_V2));
    }
}
