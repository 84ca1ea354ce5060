package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.io.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze --format status}: each run's final status, one line per run, with its forecast. */
class AnalyzeStatusFormatTest {

    @TempDir
    Path dir;

    @Test
    void theHtmlReportDrawsTheForecastOfTheRunStillImprovingOnly() throws IOException {
        Path file = dir.resolve("runs.jsonl");
        Files.write(file, runs());
        Path html = dir.resolve("report.html");

        int code = LossDoctor.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "analyze",
                "--html", html.toString(), file.toString());

        assertThat(code).isZero();
        String report = Files.readString(html);
        assertThat(report.split("class=\"forecast\"", -1)).as("one dotted projection: the improving run's").hasSize(2);
        assertThat(report.split("class=\"forecast-band\"", -1)).hasSize(2);
    }

    private static List<String> runs() {
        List<String> lines = new ArrayList<>();
        lines.add("{\"type\":\"run_started\",\"run_id\":\"improving\",\"config\":{\"max_epochs\":80}}");
        for (int e = 1; e <= 24; e++) {
            double val = 0.3 + 2 / Math.sqrt(e);
            lines.add(String.format(Locale.ROOT, "{\"type\":\"metrics\",\"run_id\":\"improving\",\"epoch\":%d,"
                    + "\"metrics\":{\"train_loss\":%.6f,\"val_loss\":%.6f}}", e, val * 0.9, val));
            lines.add(String.format(Locale.ROOT, "{\"type\":\"metrics\",\"run_id\":\"flat\",\"epoch\":%d,"
                    + "\"metrics\":{\"train_loss\":0.5,\"val_loss\":0.6}}", e));
        }
        return lines;
    }

    @Test
    void shouldPrintOneStatusPerRunWithTheForecastOfTheOneStillImproving() throws IOException {
        Path file = dir.resolve("runs.jsonl");
        Files.write(file, runs());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = LossDoctor.execute(new PrintWriter(out), new PrintWriter(err), "analyze", "--format", "status", file.toString());

        assertThat(code).as("stderr: " + err).isZero();
        List<JsonNode> statuses = out.toString().lines().map(Json::read).toList();
        assertThat(statuses).extracting(s -> s.get("run_id").asText()).containsExactly("improving", "flat");
        JsonNode forecast = statuses.get(0).get("forecast");
        double truth = 0.3 + 2 / Math.sqrt(80);
        assertThat(forecast.get("at_epoch").asLong()).isEqualTo(80);
        assertThat(forecast.get("horizon").asText()).isEqualTo("max_epochs");
        assertThat(forecast.get("low").asDouble()).isLessThanOrEqualTo(truth);
        assertThat(forecast.get("high").asDouble()).isGreaterThanOrEqualTo(truth);
        assertThat(statuses.get(0).get("summary").asText()).contains("heading for").contains("by epoch 80");
        assertThat(statuses.get(0).has("curve")).as("as on the status topic: no curve").isFalse();
        assertThat(statuses.get(1).has("forecast")).as("a flat curve: nothing to forecast").isFalse();
    }
}
