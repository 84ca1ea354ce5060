package dev.lossdoctor.chart;

import static dev.lossdoctor.chart.ChartFixtures.aRun;
import static dev.lossdoctor.chart.ChartFixtures.falling;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

    static DiagnosisEvent event(String run, long epoch, Diagnosis d, Long since, String summary, String... advice) {
        return new DiagnosisEvent(run, epoch, null, d, null, since, 0.9, summary, List.of(advice),
                Map.of("val_best_epoch", 14), Instant.EPOCH);
    }

    static ReportRun run(String id, Diagnosis... timeline) {
        var fixture = aRun(id).withTrainLoss(falling(30, 2, 0.2)).withValLoss(falling(30, 2.2, 0.5)).bestValAt(14);
        List<DiagnosisEvent> events = new ArrayList<>();
        long epoch = 5;
        for (Diagnosis d : timeline) {
            fixture.changedTo(d, epoch, epoch - 2.0, d.code() + " summary");
            events.add(event(id, epoch, d, epoch - 2, d.code() + " summary", "advice for " + d.code(), "more advice"));
            epoch += 8;
        }
        return new ReportRun(fixture.build(), events);
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
    void shouldListRunsMostSevereFirstEachLinkingToItsChart() {
        String html = HtmlReport.render("runs.jsonl", List.of(
                run("calm", Diagnosis.LEARNING),
                run("bad", Diagnosis.LEARNING, Diagnosis.OVERFITTING),
                run("worse", Diagnosis.LEARNING, Diagnosis.DIVERGING),
                run("calm-2", Diagnosis.LEARNING, Diagnosis.CONVERGED)));

        String table = html.substring(html.indexOf("<table"), html.indexOf("</table>"));
        assertThat(all("<tr class=\"(\\w+)\">", table)).containsExactly("critical", "warning", "info", "info");
        assertThat(all("<td class=\"run\"><a href=\"#([\\w-]+)\">", table)).containsExactly("run-1", "run-2", "run-3", "run-4");
        assertThat(all("<td class=\"run\"><a href=\"#[\\w-]+\">([^<]+)</a>", table)).containsExactly("worse", "bad", "calm", "calm-2");
        assertThat(all("<section class=\"run \\w+\" id=\"([\\w-]+)\">", html)).containsExactly("run-1", "run-2", "run-3", "run-4");
        assertThat(table).contains("<span class=\"badge critical\" title=\"diverging summary\">diverging</span>")
                .contains("<td>advice for diverging</td>")
                .contains("epoch 11") // since: the diverging stretch starts at 13 - 2
                .contains("epoch 14");  // best val
        assertThat(html.indexOf("<table")).isLessThan(html.indexOf("<section"));
    }

    @Test
    void shouldPutTheChartAndTheAdviceInEachRunsSection() {
        String html = HtmlReport.render("f", List.of(run("r1", Diagnosis.WARMING_UP, Diagnosis.LEARNING, Diagnosis.OVERFITTING)));

        String section = html.substring(html.indexOf("<section"), html.indexOf("</section>"));
        assertThat(section).contains("<svg", "class=\"series train-loss\"", "class=\"series val-loss\"")
                .contains("<p class=\"said\">overfitting summary</p>")
                .contains("<li>advice for overfitting</li>", "<li>more advice</li>")
                .contains("<li class=\"warning\" title=\"overfitting summary\">epoch 21 \u00B7 overfitting</li>")
                .contains("<p class=\"evidence\">val_best_epoch 14</p>");
        assertThat(all("class=\"(band [a-z]+)\"", section)).containsExactly("band info", "band info", "band warning");
    }

    @Test
    void shouldBeSelfContained() {
        String html = HtmlReport.render("f", List.of(run("r1", Diagnosis.LEARNING)));

        assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
                .doesNotContain("http:").doesNotContain("https:").doesNotContain("<script").doesNotContain("<link")
                .doesNotContain("<img").doesNotContain("@import").doesNotContain("url(");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<meta charset=\"utf-8\">").endsWith("</html>\n");
    }

    @Test
    void shouldEscapeRunIdsEverywhere() {
        String id = "<script>alert(\"x\")</script>&co";
        String html = HtmlReport.render("<file>", List.of(run(id, Diagnosis.LEARNING)));

        assertThat(html).doesNotContain("<script>").doesNotContain("alert(\"x\")").doesNotContain("<file>");
        assertThat(html).contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;co");
    }

    @Test
    void shouldShowARunWithoutDiagnosisLast() {
        ReportRun quiet = new ReportRun(aRun("quiet").withTrainLoss(1, 0.9).build(), List.of());
        String html = HtmlReport.render("f", List.of(quiet, run("r", Diagnosis.PLATEAU)));

        assertThat(all("<tr class=\"(\\w+)\">", html)).containsExactly("warning", "none");
        assertThat(html).contains("no diagnosis");
    }

    @Test
    void shouldKeepATwoThousandRunReportSmall() {
        List<ReportRun> runs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            runs.add(run("taskset/cfg" + i, Diagnosis.WARMING_UP, Diagnosis.LEARNING, i % 3 == 0 ? Diagnosis.PLATEAU : Diagnosis.CONVERGED));
        }
        String html = HtmlReport.render("big.jsonl", runs);

        assertThat(html.length() / 2000).as("bytes per run").isLessThan(8_000);
        assertThat(html).contains("content-visibility:auto");
        assertThat(all("<section class=\"run \\w+\" id=\"(run-\\d+)\"", html)).hasSize(2000);
    }
}
