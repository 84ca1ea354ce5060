package dev.lossdoctor.chart;

import static dev.lossdoctor.chart.ChartFixtures.aRun;
import static dev.lossdoctor.chart.ChartFixtures.falling;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.chart.ChartData.ChartPoint;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.Forecast;
import dev.lossdoctor.core.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class ChartSvgTest {

    private static SvgDoc draw(ChartData d) {
        return new SvgDoc(ChartSvg.render(d));
    }

    private static List<String> tickLabels(SvgDoc svg, String anchor) {
        return svg.all("//g[@class='ticks']/g[@text-anchor='" + anchor + "']/text").stream().map(Element::getTextContent).toList();
    }

    @Test
    void shouldDrawTrainSolidAndValDashedAsOnePathEach() {
        SvgDoc svg = draw(aRun("r1").withTrainLoss(falling(30, 2.0, 0.4)).withValLoss(falling(30, 2.1, 0.6)).build());

        Element train = svg.byClass("path", "train-loss").get(0);
        Element val = svg.byClass("path", "val-loss").get(0);
        assertThat(svg.byClass("path", "series")).hasSize(2);
        assertThat(train.hasAttribute("stroke-dasharray")).isFalse();
        assertThat(val.getAttribute("stroke-dasharray")).isNotBlank();
        assertThat(SvgDoc.subpaths(train.getAttribute("d"))).singleElement().satisfies(pts -> assertThat(pts).hasSize(30));
        assertThat(svg.byClass("g", "legend").get(0).getTextContent()).contains("train loss", "val loss");
    }

    @Test
    void shouldDrawTheFallingLossDownwardsAndLeftToRight() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(falling(10, 3, 1)).build());

        List<double[]> pts = SvgDoc.subpaths(svg.byClass("path", "train-loss").get(0).getAttribute("d")).get(0);
        for (int i = 1; i < pts.size(); i++) {
            assertThat(pts.get(i)[0]).isGreaterThan(pts.get(i - 1)[0]);
            assertThat(pts.get(i)[1]).isGreaterThanOrEqualTo(pts.get(i - 1)[1]); // SVG y grows downwards
        }
    }

    @Test
    void shouldShadeEachDiagnosisFromItsSinceToTheNextInItsSeverityColour() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(falling(40, 2, 0.1)).withValLoss(falling(40, 2, 0.3))
                .changedTo(Diagnosis.LEARNING, 5, null, "Still learning.")
                .changedTo(Diagnosis.OVERFITTING, 20, 14.0, "Validation loss has risen 12% since epoch 14.")
                .changedTo(Diagnosis.DIVERGING, 35, 33.0, "Loss is NaN.")
                .build());

        List<Element> bands = svg.byClass("rect", "band");
        assertThat(bands).extracting(b -> b.getAttribute("class"))
                .containsExactly("band info", "band warning", "band critical");
        assertThat(bands).extracting(b -> b.getAttribute("fill"))
                .containsExactly(ChartSvg.fill(Diagnosis.LEARNING), ChartSvg.fill(Diagnosis.OVERFITTING), ChartSvg.fill(Diagnosis.DIVERGING));
        // the overfitting stretch starts at its since (14), where the learning one ends, and runs to 33
        double x0 = Double.parseDouble(bands.get(1).getAttribute("x"));
        double w = Double.parseDouble(bands.get(1).getAttribute("width"));
        double learningEnd = Double.parseDouble(bands.get(0).getAttribute("x")) + Double.parseDouble(bands.get(0).getAttribute("width"));
        assertThat(learningEnd).isCloseTo(x0, org.assertj.core.data.Offset.offset(0.2));
        double perEpoch = (Double.parseDouble(bands.get(2).getAttribute("x")) - x0) / (33 - 14);
        assertThat(w).isCloseTo(perEpoch * 19, org.assertj.core.data.Offset.offset(0.3));
        assertThat(bands.get(1).getTextContent()).contains("overfitting", "from epoch 14");
    }

    @Test
    void shouldLetALaterDiagnosisDatedFurtherBackTakeOverTheEarlierStretch() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(falling(10, 1, 0.5)).withValLoss(falling(10, 1.1, 0.6))
                .changedTo(Diagnosis.WARMING_UP, 1, null, "")
                .changedTo(Diagnosis.LEARNING, 6, null, "")
                .changedTo(Diagnosis.DIVERGING, 8, 2.0, "diverging since 2")
                .build());

        // learning (6..8) is overridden by diverging since 2: warming up 1..2, then diverging
        assertThat(svg.byClass("rect", "band")).extracting(b -> b.getAttribute("class"))
                .containsExactly("band info", "band critical");
        assertThat(svg.byClass("path", "change")).hasSize(3); // every call is still marked where it was made
    }

    @Test
    void shouldMarkEachChangeWithItsSummaryOnHover() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(falling(40, 2, 0.1)).withValLoss(falling(40, 2, 0.3))
                .changedTo(Diagnosis.WARMING_UP, 1, null, "Too few points.")
                .changedTo(Diagnosis.OVERFITTING, 20, 14.0, "Validation loss has risen 12% since its best at epoch 14 & <more>.")
                .build());

        List<Element> marks = svg.byClass("path", "change");
        assertThat(marks).hasSize(2);
        String title = marks.get(1).getElementsByTagName("title").item(0).getTextContent();
        assertThat(title).isEqualTo("epoch 20: warming_up \u2192 overfitting (warning), since epoch 14. "
                + "Validation loss has risen 12% since its best at epoch 14 & <more>.");
        assertThat(svg.text).contains("&amp; &lt;more&gt;");
    }

    @Test
    void shouldUseALogScaleWhenTheLossSpansMoreThanTwoDecades() {
        SvgDoc log = draw(aRun("r").withTrainLoss(falling(30, 1000, 0.5)).build());
        SvgDoc linear = draw(aRun("r").withTrainLoss(falling(30, 40, 0.5)).build());

        assertThat(log.text).contains("loss (log scale)");
        assertThat(tickLabels(log, "end")).contains("0.1", "1", "10", "100", "1000");
        assertThat(linear.text).doesNotContain("log scale");
        assertThat(tickLabels(linear, "end")).contains("0", "10", "20", "30", "40");
    }

    @Test
    void shouldDrawNonFiniteLossesAsCrossesAtTheTopAndBreakTheLineThere() {
        double nan = Double.NaN;
        SvgDoc svg = draw(aRun("r").withTrainLoss(1.0, 0.9, 0.8, nan, Double.POSITIVE_INFINITY, 0.7, 0.6)
                .withValLoss(1.1, 1.0, 0.9, 0.95, nan, nan, nan).build());

        String d = svg.byClass("path", "train-loss").get(0).getAttribute("d");
        assertThat(d).doesNotContain("NaN").doesNotContain("Infinity");
        assertThat(SvgDoc.subpaths(d)).hasSize(2);
        Element crosses = svg.byClass("path", "non-finite").get(0);
        assertThat(crosses.getAttribute("d").split("M").length - 1).isEqualTo(4); // epochs 4..7
        assertThat(crosses.getTextContent()).contains("at 4 points: epoch 4 to 7");
        double firstCrossY = Double.parseDouble(crosses.getAttribute("d").split("[M l]")[2]);
        assertThat(firstCrossY).isBetween(54.0, 64.0); // along the top of the plot (54 in a standalone chart)
    }

    @Test
    void shouldDrawAPointAloneAsADot() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(0.7).withValLoss(0.8).build());

        assertThat(svg.byClass("path", "train-loss").get(0).getAttribute("d")).endsWith("h0");
        assertThat(svg.byClass("path", "train-loss").get(0).getAttribute("stroke-linecap")).isEqualTo("round");
        assertThat(tickLabels(svg, "middle")).contains("1").doesNotContain("-1");
    }

    @Test
    void shouldSayWhenNoLossIsFinite() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(Double.NaN, Double.NaN, Double.NaN).build());

        assertThat(svg.byClass("path", "series")).isEmpty();
        assertThat(svg.byClass("path", "non-finite")).hasSize(1);
        assertThat(svg.text).contains("no finite loss values");
    }

    @Test
    void shouldDrawAnEmptyRun() {
        SvgDoc svg = draw(new ChartData("empty", "epoch", List.of(), List.of(), null));

        assertThat(svg.text).contains("no points yet");
    }

    @Test
    void shouldKeepHugeLossesOnALogScale() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(0.69, 0.7, 50, 3e9, 1e18).withValLoss(0.7, 0.7, 80, 5e12, 1e300).build());

        assertThat(svg.text).contains("loss (log scale)");
        assertThat(tickLabels(svg, "end")).contains("1e18");
        assertThat(svg.byClass("path", "val-loss").get(0).getAttribute("d")).doesNotContain("E").doesNotContain("NaN");
    }

    @Test
    void shouldDrawNegativeLossesOnALinearScale() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(0.5, 0.1, -0.3, -0.8, -1.2).withValLoss(0.6, 0.3, 0.1, 0.0, -0.1).build());

        assertThat(svg.text).doesNotContain("log scale");
        assertThat(tickLabels(svg, "end")).anyMatch(t -> t.startsWith("-"));
    }

    @Test
    void shouldDownsampleTenThousandPointsButKeepTheExtremes() {
        int n = 10_000;
        double[] train = new double[n];
        for (int i = 0; i < n; i++) {
            train[i] = 1 + 0.1 * Math.sin(i * 0.7);
        }
        train[6_543] = 9.0;  // one spike up
        train[2_000] = 0.2;  // one dip down
        SvgDoc svg = draw(aRun("r").perStep(1).withTrainLoss(train).build());

        String d = svg.byClass("path", "train-loss").get(0).getAttribute("d");
        List<double[]> pts = SvgDoc.subpaths(d).get(0);
        assertThat(pts.size()).isLessThan(2 * ChartSvg.WIDTH / 2 + 2);
        assertThat(svg.text.length()).isLessThan(20_000);
        double minY = pts.stream().mapToDouble(p -> p[1]).min().orElseThrow();
        double maxY = pts.stream().mapToDouble(p -> p[1]).max().orElseThrow();
        assertThat(minY).isLessThan(54 + 15); // the spike reaches the top of the plot (54 in a standalone chart)
        assertThat(maxY).isGreaterThan(278 - 15); // the dip reaches the bottom (278)
        assertThat(svg.text).contains("step \u2192");
    }

    @Test
    void shouldAddAnAccuracyAxisWhenAccuracyIsReported() {
        SvgDoc with = draw(aRun("r").withTrainLoss(1, 0.8, 0.6).withValLoss(1.1, 0.9, 0.8)
                .withAccuracy(new double[] {0.5, 0.7, 0.8}, new double[] {0.45, 0.6, 0.7}).build());
        SvgDoc without = draw(aRun("r").withTrainLoss(1, 0.8, 0.6).build());

        assertThat(with.byClass("path", "train-acc")).hasSize(1);
        assertThat(with.byClass("path", "val-acc")).hasSize(1);
        assertThat(tickLabels(with, "start")).containsExactly("0.0", "0.2", "0.4", "0.6", "0.8", "1.0");
        assertThat(with.text).contains(">accuracy<");
        assertThat(without.byClass("path", "train-acc")).isEmpty();
        assertThat(without.text).doesNotContain(">accuracy<");
    }

    @Test
    void shouldMarkTheBestValidationEpoch() {
        SvgDoc svg = draw(aRun("r").withTrainLoss(1, 0.8, 0.6, 0.5).withValLoss(1.1, 0.7, 0.9, 1.0).bestValAt(2).build());

        Element best = svg.byClass("g", "best-val").get(0);
        assertThat(best.getTextContent()).contains("Best validation loss 0.7 at epoch 2");
        assertThat(best.getElementsByTagName("circle").getLength()).isEqualTo(1);
    }

    @Test
    void shouldEscapeRunIdsAndSummaries() {
        String id = "run <b>&\"quoted\" 'x'";
        SvgDoc svg = draw(aRun(id).withTrainLoss(1, 0.9).changedTo(Diagnosis.LEARNING, 1, null, "a \"b\" <c> & d\u0001").build());

        assertThat(svg.one("//text[@font-weight='600']").getTextContent()).isEqualTo(id);
        assertThat(svg.text).doesNotContain("<b>").doesNotContain("\u0001");
    }

    @Test
    void shouldDrawTheServicesWindowShadedFromSinceEpoch() {
        List<RunStatus.CurvePoint> curve = new ArrayList<>();
        for (long e = 21; e <= 40; e++) {
            curve.add(new RunStatus.CurvePoint(e, e * 100, 1.0 / e, 0.05 + 0.002 * (e - 25) * (e - 25) / 25 + 0.02));
        }
        RunStatus status = new RunStatus("live-1", Diagnosis.OVERFITTING, 25L, 40L, 4000L, 0.025, 0.2, "falling", "rising",
                25L, 0.07, "Validation loss has risen since epoch 25.", List.of("Stop training"), false, 40, Instant.EPOCH, curve, null);

        ChartData data = ChartSvg.fromStatus(status);
        SvgDoc svg = new SvgDoc(ChartSvg.forStatus(status));

        assertThat(data.points()).extracting(ChartPoint::x).startsWith(21.0).endsWith(40.0);
        assertThat(data.changes()).singleElement().satisfies(c -> assertThat(c.start()).isEqualTo(25.0));
        Element band = svg.byClass("rect", "band").get(0);
        assertThat(band.getAttribute("class")).isEqualTo("band warning");
        assertThat(Double.parseDouble(band.getAttribute("x"))).isGreaterThan(100);
        assertThat(svg.byClass("path", "change").get(0).getTextContent()).contains("since epoch 25");
        assertThat(svg.byClass("g", "best-val")).hasSize(1);
    }

    @Test
    void shouldDrawTheForecastDottedWithItsBandOutToTheHorizon() {
        List<RunStatus.CurvePoint> curve = new ArrayList<>();
        for (long e = 1; e <= 20; e++) {
            curve.add(new RunStatus.CurvePoint(e, null, 0.9 / Math.sqrt(e), 1.0 / Math.sqrt(e)));
        }
        Forecast forecast = new Forecast(80, 0.12, 0.08, 0.2, 60, 50, false, false);
        RunStatus status = new RunStatus("fc", Diagnosis.LEARNING, null, 20L, null, 0.2, 0.224, "falling", "falling",
                20L, 0.224, "Learning.", List.of(), false, 20, Instant.EPOCH, curve, forecast);
        RunStatus without = new RunStatus("fc", Diagnosis.LEARNING, null, 20L, null, 0.2, 0.224, "falling", "falling",
                20L, 0.224, "Learning.", List.of(), false, 20, Instant.EPOCH, curve, null);

        SvgDoc svg = new SvgDoc(ChartSvg.forStatus(status));

        assertThat(ChartSvg.fromStatus(status).projection()).isEqualTo(new ChartData.Projection(20, 0.224, 80, 0.12, 0.08, 0.2));
        Element line = svg.byClass("path", "forecast").get(0);
        assertThat(line.getAttribute("stroke-dasharray")).isNotEmpty();
        assertThat(svg.byClass("path", "forecast-band")).hasSize(1);
        // the x axis reaches the horizon: the line ends at the right edge, far right of where the curve ends
        String[] ends = line.getAttribute("d").substring(1).split("[ L]");
        assertThat(Double.parseDouble(ends[2])).isGreaterThan(Double.parseDouble(ends[0]) + 300);
        assertThat(new SvgDoc(ChartSvg.forStatus(without)).byClass("path", "forecast")).isEmpty();
    }

    @Test
    void shouldMarkAServicePointWithNeitherLossAsNonFinite() {
        List<RunStatus.CurvePoint> curve = List.of(new RunStatus.CurvePoint(1L, null, 0.5, 0.6),
                new RunStatus.CurvePoint(2L, null, 0.9, null), new RunStatus.CurvePoint(3L, null, null, null));
        RunStatus status = new RunStatus("nan", Diagnosis.DIVERGING, 3L, 3L, null, null, null, null, null,
                1L, 0.6, "NaN.", List.of(), false, 3, Instant.EPOCH, curve, null);

        SvgDoc svg = new SvgDoc(ChartSvg.forStatus(status));

        assertThat(svg.byClass("path", "non-finite").get(0).getTextContent()).contains("at 1 point: epoch 3");
        assertThat(SvgDoc.subpaths(svg.byClass("path", "val-loss").get(0).getAttribute("d"))).hasSize(1);
    }

    @Test
    void shouldShadeAServiceRunFromTheWindowsStartWhenItsSinceIsOlder() {
        List<RunStatus.CurvePoint> curve = List.of(new RunStatus.CurvePoint(null, 5000L, 0.5, null),
                new RunStatus.CurvePoint(null, 5100L, 0.4, null), new RunStatus.CurvePoint(null, 5200L, null, null));
        RunStatus status = new RunStatus("steps", Diagnosis.PLATEAU, 10L, null, 5200L, 0.4, null, "flat", null,
                null, null, "Flat.", List.of(), false, 60, Instant.EPOCH, curve, null);

        ChartData data = ChartSvg.fromStatus(status);

        assertThat(data.xLabel()).isEqualTo("step");
        assertThat(data.changes().get(0).x()).isEqualTo(5200.0);
        new SvgDoc(ChartSvg.forStatus(status));
    }

    /** A service status of the given window and recovered spikes. */
    private static RunStatus spiky(List<RunStatus.CurvePoint> curve, RunStatus.Spikes spikes) {
        return new RunStatus("spiky", Diagnosis.LEARNING, null, 40L, null, 0.3, null, "falling", null, null, null,
                "Learning.", List.of(), false, curve.size(), Instant.EPOCH, curve, null, null, spikes, null);
    }

    /** The x and the tip's y of a spike marker (its path starts at the tip). */
    private static double[] tip(Element marker) {
        String[] xy = marker.getAttribute("d").substring(1).split("[ l]");
        return new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])};
    }

    /** The vertex of the train-loss path at pixel x (within half a pixel), or null. */
    private static double[] trainVertexAt(SvgDoc svg, double x) {
        return SvgDoc.subpaths(svg.byClass("path", "train-loss").get(0).getAttribute("d")).stream().flatMap(List::stream)
                .filter(v -> Math.abs(v[0] - x) < 0.5).findFirst().orElse(null);
    }

    @Test
    void shouldMarkEachRecoveredSpikeOfAServiceRunAboveItsTrainingLoss() {
        List<RunStatus.CurvePoint> curve = new ArrayList<>();
        for (long e = 21; e <= 40; e++) {
            curve.add(new RunStatus.CurvePoint(e, null, e == 30 ? 1.5 : e == 34 ? 0.9 : 1.0 / Math.sqrt(e), null));
        }
        // 12 is older than the window: kept by the analysis, not drawn
        RunStatus status = spiky(curve, new RunStatus.Spikes(3, List.of(12L, 30L, 34L)));

        SvgDoc svg = new SvgDoc(ChartSvg.forStatus(status));

        assertThat(ChartSvg.fromStatus(status).spikes()).extracting(ChartData.Spike::x).containsExactly(30.0, 34.0);
        List<Element> marks = svg.byClass("path", "spike");
        assertThat(marks).hasSize(2);
        assertThat(marks).extracting(Element::getTextContent)
                .containsExactly("Recovered loss spike at epoch 30: the training loss jumped and came back down",
                        "Recovered loss spike at epoch 34: the training loss jumped and came back down");
        for (Element m : marks) { // just above the peak of the line, at its x
            double[] tip = tip(m);
            double[] peak = trainVertexAt(svg, tip[0]);
            assertThat(peak).as("a train-loss vertex under the marker at x=%s", tip[0]).isNotNull();
            assertThat(peak[1] - tip[1]).isEqualTo(10.0, org.assertj.core.data.Offset.offset(0.1));
        }
        assertThat(tip(marks.get(0))[0]).isLessThan(tip(marks.get(1))[0]);
        assertThat(svg.one("//g[@class='legend']").getTextContent()).contains("recovered spike");

        SvgDoc without = new SvgDoc(ChartSvg.forStatus(spiky(curve, null)));
        assertThat(without.byClass("path", "spike")).isEmpty();
        assertThat(without.byClass("g", "spikes")).isEmpty();
        assertThat(without.one("//g[@class='legend']").getTextContent()).doesNotContain("spike");
        SvgDoc outside = new SvgDoc(ChartSvg.forStatus(spiky(curve, new RunStatus.Spikes(1, List.of(12L)))));
        assertThat(outside.byClass("path", "spike")).isEmpty();
        assertThat(outside.one("//g[@class='legend']").getTextContent()).doesNotContain("spike");
    }

    @Test
    void shouldPutASpikeKeyedByEpochAtTheStepOfItsPeakOnAStepAxis() {
        List<RunStatus.CurvePoint> curve = new ArrayList<>();
        for (long s = 10; s <= 200; s += 10) { // five points an epoch: drawn against steps
            long epoch = 1 + (s - 10) / 50;
            curve.add(new RunStatus.CurvePoint(epoch, s, s == 130 ? 2.0 : s == 140 ? 1.0 : 10.0 / s, null));
        }
        RunStatus byEpoch = spiky(curve, new RunStatus.Spikes(1, List.of(3L)));
        List<RunStatus.CurvePoint> stepsOnly = curve.stream()
                .map(p -> new RunStatus.CurvePoint(null, p.step(), p.trainLoss(), null)).toList();
        RunStatus byStep = spiky(stepsOnly, new RunStatus.Spikes(1, List.of(130L)));

        // epoch 3 is steps 110-150: the marker goes to its highest loss (130), not its first step
        assertThat(ChartSvg.fromStatus(byEpoch).spikes()).containsExactly(new ChartData.Spike(130, "epoch 3"));
        assertThat(ChartSvg.fromStatus(byStep).spikes()).containsExactly(new ChartData.Spike(130, "step 130"));
        SvgDoc svg = new SvgDoc(ChartSvg.forStatus(byEpoch));
        Element mark = svg.byClass("path", "spike").get(0);
        assertThat(mark.getTextContent()).startsWith("Recovered loss spike at epoch 3:");
        double[] peak = trainVertexAt(svg, tip(mark)[0]);
        assertThat(peak).isNotNull();
        double highest = SvgDoc.subpaths(svg.byClass("path", "train-loss").get(0).getAttribute("d")).stream()
                .flatMap(List::stream).filter(v -> v[0] > peak[0] - 60).mapToDouble(v -> v[1]).min().orElseThrow();
        assertThat(peak[1]).isEqualTo(highest); // the top of the jump, not its foot
    }

    @Test
    void shouldShortenTheLastLegendKeysRatherThanRunOffTheChart() {
        ChartData full = new ChartData("full", "epoch", aRun("full").withTrainLoss(1, 2, 0.8, Double.NaN, 0.6)
                .withValLoss(1.1, 1.2, 0.9, 0.8, 0.85).withAccuracy(new double[] {0.2, 0.3, 0.4, 0.5, 0.6},
                        new double[] {0.2, 0.3, 0.4, 0.5, 0.6}).build().points(),
                List.of(new ChartData.Change(1, null, Diagnosis.WARMING_UP, ""), new ChartData.Change(3, null, Diagnosis.LEARNING, "")),
                4.0, null, List.of(new ChartData.Spike(2, "epoch 2")));
        ChartData roomy = new ChartData("roomy", "epoch", aRun("roomy").withTrainLoss(1, 2, 0.8, 0.7).build().points(),
                List.of(), null, null, List.of(new ChartData.Spike(2, "epoch 2")));

        List<Element> words = draw(full).all("//g[@class='legend']/text");
        Element last = words.get(words.size() - 1);

        assertThat(words).extracting(Element::getTextContent).contains("change", "spike", "NaN/Inf");
        assertThat(Double.parseDouble(last.getAttribute("x")) + last.getTextContent().length() * 6).isLessThanOrEqualTo(ChartSvg.WIDTH);
        assertThat(draw(roomy).all("//g[@class='legend']/text")).extracting(Element::getTextContent).contains("recovered spike");
        List<Element> noNaN = draw(new ChartData("tight", "epoch", full.points().stream().filter(p -> ChartSvg.finite(p.train())).toList(),
                full.changes(), 4.0, null, full.spikes())).all("//g[@class='legend']/text");
        assertThat(noNaN).extracting(Element::getTextContent).contains("diagnosis change", "spike"); // shortened only as needed
    }
}
