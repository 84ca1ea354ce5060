package dev.lossdoctor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.RunStatus.CurvePoint;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveViewTest {

    private static final String ESC = "\u001b";

    @Test
    void shouldDrawAFallingLossFromTheHighestBlockToTheLowest() {
        List<Double> falling = List.of(4.0, 3.0, 2.0, 1.0);

        String line = LiveView.sparkline(falling, LiveView.Scale.of(falling));

        assertThat(line).isEqualTo("█▆▃▁");
    }

    @Test
    void shouldLogScaleALossThatSpansDecadesSoItsEarlyFallStaysVisible() {
        List<Double> diverging = List.of(1.0, 0.5, 10.0, 100.0, 1000.0);

        LiveView.Scale scale = LiveView.Scale.of(diverging);
        String line = LiveView.sparkline(diverging, scale);

        assertThat(scale.log()).isTrue();
        // on a linear scale 1.0, 0.5 and 10 would all be the lowest block
        assertThat(line).isEqualTo("▂▁▄▆█");
    }

    @Test
    void shouldKeepALinearScaleWhenTheLossSpansLessThanTwoDecadesOrTouchesZero() {
        assertThat(LiveView.Scale.of(List.of(0.5, 2.0, 40.0)).log()).isFalse();
        assertThat(LiveView.Scale.of(List.of(0.0, 1.0, 1000.0)).log()).isFalse();
        assertThat(LiveView.Scale.of(List.of(-3.0, -1.0)).log()).isFalse();
    }

    @Test
    void shouldScaleTrainAndValEachOnItsOwnSoARisingValLossShowsUnderAFarLowerTrainLoss() {
        RunStatus overfitting = status("r", Diagnosis.OVERFITTING, 4, 0.001, 0.9,
                curve(new double[] {0.5, 0.05, 0.005, 0.001}, new double[] {0.6, 0.5, 0.7, 0.9}));

        String row = LiveView.rows(List.of(overfitting), 200, false).get(1);

        assertThat(row).contains("█▅▃▁" + " ".repeat(LiveView.SPARK_WIDTH - 4) + " 1.00e-03")
                .contains("▃▁▄█" + " ".repeat(LiveView.SPARK_WIDTH - 4) + " 0.9000");
    }

    @Test
    void shouldDrawAPlateauThatDriftsByAFractionOfAPercentAsFlatNotAsASlope() {
        List<Double> plateau = List.of(0.430, 0.429, 0.428, 0.427, 0.426);

        String line = LiveView.sparkline(plateau, LiveView.Scale.of(plateau));

        assertThat(line).matches("▅[▄▅]{3}▄");
    }

    @Test
    void shouldDrawAFlatLossInTheMiddleAndEmptyInputAsNothing() {
        List<Double> flat = List.of(0.7, 0.7, 0.7);

        assertThat(LiveView.sparkline(flat, LiveView.Scale.of(flat))).isEqualTo("▅▅▅");
        assertThat(LiveView.sparkline(List.of(), LiveView.Scale.of(List.<Double>of()))).isEmpty();
    }

    @Test
    void shouldMarkNonFiniteLossesAndLeaveMissingOnesBlankWithoutLettingThemSkewTheScale() {
        List<Double> values = Arrays.asList(1.0, Double.NaN, null, Double.POSITIVE_INFINITY, 2.0);

        LiveView.Scale scale = LiveView.Scale.of(values);

        assertThat(scale).isEqualTo(new LiveView.Scale(1.0, 2.0, false));
        assertThat(LiveView.sparkline(values, scale)).isEqualTo("▁× ×█");
        assertThat(LiveView.number(Double.NaN)).isEqualTo("NaN");
        assertThat(LiveView.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(LiveView.number(null)).isEqualTo("-");
    }

    @Test
    void shouldRenderARunWhoseLatestLossIsNotFinite() {
        RunStatus nan = status("demo-diverge-1", Diagnosis.DIVERGING, 9, Double.NaN, null,
                curve(new double[] {1, 2, 8, 60}, new double[] {1, 3, 9, 80}));

        List<String> lines = LiveView.rows(List.of(nan), 200, false);

        assertThat(lines.get(1)).contains("demo-diverge-1").contains("NaN").contains("diverging");
    }

    @Test
    void shouldPrintNoEscapeCodesWithColoursOff() {
        List<RunStatus> runs = List.of(
                status("a", Diagnosis.LEARNING, 3, 0.5, 0.6, curve(new double[] {0.9, 0.7, 0.5}, new double[] {0.9, 0.8, 0.6})),
                status("b", Diagnosis.DIVERGING, 3, 9.0, 9.5, curve(new double[] {0.9, 3, 9}, new double[] {0.9, 3, 9.5})));

        List<String> plain = new ArrayList<>(LiveView.rows(runs, 150, false));
        plain.addAll(LiveView.header("127.0.0.1:9092", "training-metrics", "http://127.0.0.1:8080", false));
        plain.add(LiveView.changeLine(LocalTime.NOON, runs.get(1)));
        plain.add(LiveView.totalsLine(LocalTime.NOON, runs, 42));

        assertThat(plain).noneMatch(l -> l.contains(ESC));
    }

    @Test
    void shouldColourDiagnosesBySeverity() {
        String critical = LiveView.rows(List.of(status("r", Diagnosis.DIVERGING, 1, 1.0, 1.0, List.of())), 200, true).get(1);
        String warning = LiveView.rows(List.of(status("r", Diagnosis.OVERFITTING, 1, 1.0, 1.0, List.of())), 200, true).get(1);
        String info = LiveView.rows(List.of(status("r", Diagnosis.LEARNING, 1, 1.0, 1.0, List.of())), 200, true).get(1);

        assertThat(critical).contains(ESC + "[1;31mdiverging");
        assertThat(warning).contains(ESC + "[33moverfitting");
        assertThat(info).contains(ESC + "[32mlearning");
        assertThat(LiveView.colour(Diagnosis.WARMING_UP)).isEqualTo(ESC + "[34m");
    }

    @Test
    void shouldSortBySeverityThenRunId() {
        List<RunStatus> runs = List.of(
                status("c-learning", Diagnosis.LEARNING, 5, 1.0, 1.0, List.of()),
                status("b-overfit", Diagnosis.OVERFITTING, 5, 1.0, 1.0, List.of()),
                status("z-diverge", Diagnosis.DIVERGING, 5, 1.0, 1.0, List.of()),
                status("a-plateau", Diagnosis.PLATEAU, 5, 1.0, 1.0, List.of()));

        List<String> lines = LiveView.rows(runs, 200, false);

        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("RUN");
        assertThat(lines.subList(1, 5)).extracting(l -> l.split(" ")[0])
                .containsExactly("z-diverge", "a-plateau", "b-overfit", "c-learning");
    }

    @Test
    void shouldCutEveryLineToTheWidthCountingOnlyVisibleCharacters() {
        RunStatus s = status("demo-overfit-digits-1", Diagnosis.OVERFITTING, 117, 0.01, 1.9,
                curve(new double[] {1, 0.5, 0.1, 0.01}, new double[] {1, 0.8, 1.2, 1.9}),
                "Stop training and restore the epoch-14 checkpoint, then add data augmentation and weight decay");

        for (int width : new int[] {20, 60, 100}) {
            for (boolean color : new boolean[] {false, true}) {
                List<String> lines = LiveView.rows(List.of(s), width, color);
                assertThat(lines).allSatisfy(l -> assertThat(LiveView.visibleLength(l)).isLessThanOrEqualTo(width));
                assertThat(lines.get(1)).contains("…");
            }
        }
        assertThat(LiveView.rows(List.of(s), 300, false).get(1)).endsWith("weight decay");
    }

    @Test
    void shouldNotCutInsideAnEscapeSequence() {
        String coloured = "ab" + ESC + "[33mcdef" + LiveView.RESET;

        assertThat(LiveView.fit(coloured, 4)).isEqualTo("ab" + ESC + "[33mc…" + LiveView.RESET);
        assertThat(LiveView.fit(coloured, 6)).isEqualTo(coloured);
        assertThat(LiveView.fit("abc", 0)).isEmpty();
    }

    @Test
    void shouldFitTheWholeWindowOfALongCurveIntoTheSparklineEndingWithTheLatestPoint() {
        double[] train = new double[64];
        double[] val = new double[64];
        for (int i = 0; i < 64; i++) {
            train[i] = 64 - i;
            val[i] = Math.abs(i - 20) + 1; // falls to its best at epoch 21, then rises
        }
        RunStatus s = status("r", Diagnosis.OVERFITTING, 64, 1.0, 44.0, curve(train, val));

        String row = LiveView.rows(List.of(s), 300, false).get(1);

        assertThat(row).contains("██▇▇▇▆▆▅▅▅▄▄▄▃▃▂▂▂▁▁ 1.000").contains("▄▃▃▂▂▁▁▂▂▃▃▄▄▅▅▆▆▇██ 44.00");
        assertThat(LiveView.resample(List.of(1, 2, 3, 4, 5, 6), 3)).containsExactly(2, 4, 6);
        assertThat(LiveView.resample(List.of(1, 2), 3)).containsExactly(1, 2);
    }

    @Test
    void shouldSayInOnePlainLineWhatChangedAndWhen() {
        RunStatus s = status("demo-overfit-1", Diagnosis.OVERFITTING, 17, 0.2, 0.9, List.of());

        String line = LiveView.changeLine(LocalTime.of(12, 0, 3), s);

        assertThat(line).isEqualTo("12:00:03 run demo-overfit-1 epoch 17: overfitting (warning) — Validation loss has risen\nsince epoch 14.".replace("\n", " "));
    }

    @Test
    void shouldCountRunsByDiagnosisMostSevereFirst() {
        List<RunStatus> runs = List.of(
                status("a", Diagnosis.LEARNING, 5, 1.0, 1.0, List.of()),
                status("b", Diagnosis.LEARNING, 5, 1.0, 1.0, List.of()),
                status("c", Diagnosis.DIVERGING, 5, 1.0, 1.0, List.of()));

        assertThat(LiveView.totalsLine(LocalTime.of(9, 5), runs, 1234))
                .isEqualTo("09:05:00 3 runs (0 finished): 1 diverging, 2 learning; 1234 records sent");
    }

    @Test
    void shouldPrintTheBrokerAddressAndTheUrls() {
        List<String> header = LiveView.header("127.0.0.1:9092", "training-metrics", "http://127.0.0.1:8080", false);

        assertThat(String.join("\n", header))
                .contains("Kafka:   127.0.0.1:9092 — point your trainers here")
                .contains("http://127.0.0.1:8080/metrics")
                .contains("http://127.0.0.1:8080/runs")
                .contains("http://127.0.0.1:8080/health/ready")
                .contains("http://127.0.0.1:8080/\n");
    }

    private static List<CurvePoint> curve(double[] train, double[] val) {
        List<CurvePoint> points = new ArrayList<>();
        for (int i = 0; i < train.length; i++) {
            points.add(new CurvePoint((long) i + 1, null, train[i], val[i]));
        }
        return points;
    }

    private static RunStatus status(String id, Diagnosis d, long epoch, Double train, Double val, List<CurvePoint> curve) {
        return status(id, d, epoch, train, val, curve, "Advice for " + d.code());
    }

    private static RunStatus status(String id, Diagnosis d, long epoch, Double train, Double val, List<CurvePoint> curve, String advice) {
        return new RunStatus(id, d, 1L, epoch, null, train, val, null, null, null, null,
                "Validation loss has risen\nsince epoch 14.", List.of(advice, "Something else"), false, curve.size(),
                Instant.EPOCH, curve, null);
    }
}
