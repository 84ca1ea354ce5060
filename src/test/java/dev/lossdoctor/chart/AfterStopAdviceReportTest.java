package dev.lossdoctor.chart;

import static dev.lossdoctor.chart.AnalyzeHtmlTest.analyze;
import static dev.lossdoctor.chart.AnalyzeHtmlTest.curves;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.schemas.Schemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze} says what runs trained after the advice to stop: each run's status
 * ({@code --format status}), the table's last line and the HTML report's headline.
 */
class AfterStopAdviceReportTest {

    @TempDir
    Path dir;

    /** The epoch the overfitting run was first told to stop at, from its diagnosis events. */
    private long firstAdviceEpoch(Path input) throws IOException {
        for (String line : analyze("--format", "jsonl", input.toString()).out().lines().toList()) {
            JsonNode e = Json.MAPPER.readTree(line);
            if (e.get("run_id").asText().equals("overfit & co") && e.get("diagnosis").asText().equals("overfitting")) {
                return e.get("epoch").asLong();
            }
        }
        throw new AssertionError("the overfitting run was never called overfitting");
    }

    @Test
    void shouldGiveEachRunsFinalStatusWithWhatItTrainedAfterTheAdvice() throws IOException {
        Path input = curves(dir);
        long advisedAt = firstAdviceEpoch(input);

        AnalyzeHtmlTest.Result r = analyze("--format", "status", input.toString());

        assertThat(r.exit()).isZero();
        Map<String, JsonNode> statuses = new LinkedHashMap<>();
        for (String line : r.out().lines().toList()) {
            Schemas.assertValid("training-run-status", line);
            JsonNode s = Json.MAPPER.readTree(line);
            statuses.put(s.get("run_id").asText(), s);
        }
        assertThat(statuses).containsOnlyKeys("steady <1>", "overfit & co");
        JsonNode advice = statuses.get("overfit & co").get("after_stop_advice");
        assertThat(advice.get("diagnosis").asText()).isEqualTo("overfitting");
        assertThat(advice.get("since_epoch").asLong()).isEqualTo(advisedAt);
        assertThat(advice.get("epochs").asLong()).isEqualTo(30 - advisedAt);
        assertThat(advice.get("seconds").isNull()).as("the file's events carry no time").isTrue();
        assertThat(statuses.get("steady <1>").has("after_stop_advice")).isFalse();
        assertThat(statuses.get("overfit & co").has("curve")).as("as the status topic carries it").isFalse();
    }

    @Test
    void shouldEndTheTableAndHeadTheReportWithTheShareTrainedAfterTheAdvice() throws IOException {
        Path input = curves(dir);
        long after = 30 - firstAdviceEpoch(input);
        Path report = dir.resolve("report.html");
        // both runs go from epoch 1 to 30: 29 epochs each
        String headline = Math.round(100.0 * after / 58) + "% of the epochs of these 2 runs came after the advice to stop ("
                + after + " of 58 epochs, in 1 run).";

        AnalyzeHtmlTest.Result table = analyze("--html", report.toString(), input.toString());

        assertThat(table.out().strip().lines().reduce((a, b) -> b)).contains(headline);
        String html = Files.readString(report);
        assertThat(html).contains("<p class=\"cost\">" + headline + "</p>");
        assertThat(html).contains("Trained " + after + " epochs after the advice to stop (overfitting, epoch " + (30 - after) + ").");
    }

    @Test
    void shouldSayNothingAboutAdviceWhenNoRunWasAdvisedToStop() {
        assertThat(new AdviceCost(3, 0, 90, 0, 0).headline()).isNull();
        assertThat(new AdviceCost(1, 1, 40, 10, 7200).headline())
                .isEqualTo("25% of the epochs of this run came after the advice to stop (10 of 40 epochs, in 1 run; "
                        + "2 h 0 min of training time).");
    }
}
