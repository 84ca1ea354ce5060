package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.schemas.Schemas;
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

/** {@code analyze} over the runs of a sweep: siblings compared as if they ran at the same time. */
class AnalyzeSweepTest {

    @TempDir
    Path dir;

    /**
     * Eight runs of sweep s7, one file each (files are read one after the other: only the
     * event-time order puts them side by side); run r7 learns from much higher than the rest.
     */
    private List<Path> sweepFiles(boolean withSweepId) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            List<String> lines = new ArrayList<>();
            String config = withSweepId ? "{\"max_epochs\":30,\"sweep_id\":\"s7\"}" : "{\"max_epochs\":30}";
            lines.add("{\"type\":\"run_started\",\"run_id\":\"r" + r + "\",\"timestamp\":\"2026-11-26T10:00:00Z\",\"config\":"
                    + config + "}");
            double offset = r == 7 ? 1.5 : 0.02 * r;
            for (int e = 1; e <= 30; e++) {
                lines.add(String.format(Locale.ROOT, "{\"run_id\":\"r%d\",\"epoch\":%d,\"timestamp\":\"2026-11-26T10:%02d:00Z\","
                        + "\"metrics\":{\"train_loss\":%.4f,\"val_loss\":%.4f}}", r, e, e, 0.2 + offset + 2.0 / e,
                        0.25 + offset + 2.0 / e));
            }
            Path f = dir.resolve((withSweepId ? "s" : "n") + r + ".jsonl");
            Files.write(f, lines);
            files.add(f);
        }
        return files;
    }

    private static List<String> analyze(List<Path> files, String... options) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("analyze"));
        args.addAll(List.of(options));
        files.forEach(f -> args.add(f.toString()));
        int code = LossDoctor.execute(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertThat(code).as("stderr: " + err).isZero();
        return out.toString().lines().toList();
    }

    @Test
    void shouldCallTheRunBehindItsSiblingsLaggingAndShowItsRankInTheStatus() throws IOException {
        List<Path> files = sweepFiles(true);

        List<JsonNode> events = analyze(files, "--format", "jsonl").stream().map(Json::read).toList();
        List<JsonNode> lagging = events.stream().filter(e -> e.get("diagnosis").asText().equals("lagging")).toList();
        assertThat(lagging).extracting(e -> e.get("run_id").asText()).contains("r7").doesNotContain("r0");
        JsonNode r7 = lagging.stream().filter(e -> e.get("run_id").asText().equals("r7")).findFirst().orElseThrow();
        assertThat(r7.get("epoch").asLong()).isEqualTo(3); // max(3 epochs, 10% of 30)
        assertThat(r7.get("evidence").get("rank").asInt()).isEqualTo(8);
        assertThat(r7.get("recommendations").get(0).asText()).startsWith("stop: 7 of 7 siblings were better at epoch 3")
                .endsWith("stopping now saves ~27 epochs");
        events.forEach(e -> Schemas.assertValid(Schemas.DIAGNOSES, e));

        List<JsonNode> statuses = analyze(files, "--format", "status").stream().map(Json::read).toList();
        assertThat(statuses).hasSize(8);
        statuses.forEach(s -> Schemas.assertValid(Schemas.STATUS, s));
        JsonNode s7 = statuses.stream().filter(s -> s.get("run_id").asText().equals("r7")).findFirst().orElseThrow();
        assertThat(s7.get("siblings").get("sweep_id").asText()).isEqualTo("s7");
        assertThat(s7.get("siblings").get("rank").asInt()).isEqualTo(8);
        assertThat(s7.get("siblings").get("of").asInt()).isEqualTo(8);
        assertThat(s7.get("diagnosis").asText()).isEqualTo("lagging");
        JsonNode s0 = statuses.stream().filter(s -> s.get("run_id").asText().equals("r0")).findFirst().orElseThrow();
        assertThat(s0.get("siblings").get("rank").asInt()).isEqualTo(1);
    }

    @Test
    void shouldStopEachRunAtItsFirstLaggingWhenAskedAndLeaveRunsOfNoSweepAlone() throws IOException {
        List<String> stopped = analyze(sweepFiles(true), "--format", "jsonl", "--stop-lagging");
        List<JsonNode> r7 = stopped.stream().map(Json::read).filter(e -> e.get("run_id").asText().equals("r7")).toList();
        assertThat(r7.get(r7.size() - 1).get("diagnosis").asText()).isNotEqualTo("lagging"); // stopped: finished there
        assertThat(r7).extracting(e -> e.get("diagnosis").asText()).contains("lagging");

        List<String> alone = analyze(sweepFiles(false), "--format", "jsonl");
        assertThat(alone).isNotEmpty().noneMatch(l -> l.contains("lagging"));
        assertThat(analyze(sweepFiles(false), "--format", "status")).noneMatch(l -> l.contains("siblings"));
    }
}
