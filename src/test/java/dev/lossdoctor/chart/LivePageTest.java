package dev.lossdoctor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LivePageTest {

    static RunStatus status(String id, Diagnosis d, long since, int points) {
        List<RunStatus.CurvePoint> curve = new ArrayList<>();
        for (long e = 1; e <= points; e++) {
            curve.add(new RunStatus.CurvePoint(e, e * 10, 2.0 / e, 2.2 / e + 0.01 * e));
        }
        return new RunStatus(id, d, since, (long) points, points * 10L, 2.0 / points, 0.5, "falling", "rising", 4L, 0.7,
                d.code() + " since " + since, List.of("do " + d.code()), false, points, Instant.parse("2026-11-26T10:00:00Z"), curve, null);
    }

    private static List<String> all(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void shouldListLiveRunsMostSevereFirstWithTheirCharts() {
        String html = LivePage.render(List.of(status("a", Diagnosis.LEARNING, 3, 20), status("b", Diagnosis.DIVERGING, 15, 20),
                status("c", Diagnosis.PLATEAU, 8, 20)));

        assertThat(all("<tr class=\"(\\w+)\">", html)).containsExactly("critical", "warning", "info");
        assertThat(all("<section class=\"run \\w+\" id=\"[\\w-]+\"><h2><a class=\"id\" href=\"#[\\w-]+\">(\\w+)</a>", html))
                .containsExactly("b", "c", "a");
        assertThat(all("(<svg )", html)).hasSize(3);
        assertThat(all("class=\"(band \\w+)\"", html)).containsExactly("band critical", "band warning", "band info");
        assertThat(html).contains("<li>do diverging</li>", "since epoch 15");
    }

    @Test
    void shouldRefreshItself() {
        String html = LivePage.render(List.of());

        assertThat(html).contains("setInterval(", "fetch(location.pathname", "replaceWith", "http-equiv=\"refresh\"");
        assertThat(html).contains("No runs yet");
        assertThat(LivePage.unavailable("the service is starting")).contains("setInterval(", "the service is starting");
    }

    @Test
    void shouldLinkToEachRunsChartWithItsIdAsOneEscapedSegment() {
        String html = LivePage.render(List.of(status("taskset/x <1>&\"q\"", Diagnosis.OVERFITTING, 5, 10)));

        assertThat(html).contains("href=\"/runs/taskset%2Fx%20%3C1%3E%26%22q%22/chart.svg\"")
                .contains("taskset/x &lt;1&gt;&amp;&quot;q&quot;")
                .doesNotContain("x <1>");
    }

    @Test
    void shouldDrawChartsOnlyForTheMostSevereRuns() {
        List<RunStatus> runs = new ArrayList<>();
        for (int i = 0; i < LivePage.MAX_CHARTS + 10; i++) {
            runs.add(status("r" + i, i == 65 ? Diagnosis.DIVERGING : Diagnosis.LEARNING, 1, 8));
        }
        String html = LivePage.render(runs);

        assertThat(all("(<svg )", html)).hasSize(LivePage.MAX_CHARTS);
        assertThat(all("<tr class=\"(\\w+)\">", html)).hasSize(LivePage.MAX_CHARTS + 10).startsWith("critical");
    }

    @Test
    void shouldMarkTheRecoveredSpikesOfALiveRunOnItsChart() {
        RunStatus plain = status("s", Diagnosis.LEARNING, 3, 20);
        RunStatus spiky = new RunStatus(plain.runId(), plain.diagnosis(), plain.sinceEpoch(), plain.epoch(), plain.step(),
                plain.trainLoss(), plain.valLoss(), plain.trainTrend(), plain.valTrend(), plain.bestValEpoch(), plain.bestValLoss(),
                plain.summary(), plain.recommendations(), false, plain.points(), plain.updated(), plain.curve(), null, null,
                new RunStatus.Spikes(2, List.of(9L, 14L)), null);

        assertThat(all("<title>(Recovered loss spike at [^<:]+)", LivePage.render(List.of(spiky))))
                .containsExactly("Recovered loss spike at epoch 9", "Recovered loss spike at epoch 14");
        assertThat(LivePage.render(List.of(plain))).doesNotContain("class=\"spike\"");
    }
}
