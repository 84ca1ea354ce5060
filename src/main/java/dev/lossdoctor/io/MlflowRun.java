package dev.lossdoctor.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lossdoctor.core.TrainingEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An MLflow file-store run ({@code mlruns/<experiment>/<run>/}): {@code metrics/<name>} files of
 * {@code timestamp value step} lines (a name with a slash is a nested folder), {@code params/} as the
 * config, {@code meta.yaml} for how the run ended. One point per validation value, in step order,
 * carrying the latest training loss at or before its step; its epoch is its place among the
 * validation points (from 1), its step the log's, its time the log's. A metric logged at the same
 * step on every line (step 0 throughout) is ordered by line instead.
 */
final class MlflowRun {

    private MlflowRun() {
    }

    static void read(Path dir, String runId, LossNames names, Consumer<TrainingEvent> events,
                     Consumer<EventFiles.Problem> problems) throws IOException {
        Path metricsDir = dir.resolve("metrics");
        Map<String, Path> metricFiles = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(metricsDir)) {
            s.filter(Files::isRegularFile).sorted().forEach(f ->
                    metricFiles.put(metricsDir.relativize(f).toString().replace(java.io.File.separatorChar, '/'), f));
        }
        LossNames.Choice choice = names.choose(metricFiles.keySet());
        if (choice.none()) {
            problems.accept(EventFiles.Problem.ofFile(dir, "no training or validation loss among the metrics "
                    + metricFiles.keySet() + ": name them with --train-metric and --val-metric"));
            return;
        }
        RunLog run = new RunLog(runId);
        run.param("framework", TextNode.valueOf("mlflow"));
        params(dir.resolve("params"), run);
        JsonNode meta = meta(dir.resolve("meta.yaml"), problems);
        Series train = choice.train() == null ? null : series(metricFiles.get(choice.train()), "train_loss", problems);
        Series val = choice.val() == null ? null : series(metricFiles.get(choice.val()), "val_loss", problems);
        Pairing.pair(train, val, run);
        long start = meta.path("start_time").asLong(0), end = meta.path("end_time").asLong(0);
        if (start > 0) {
            run.startedAt = Instant.ofEpochMilli(start);
        }
        String status = status(meta.get("status"));
        if (status != null) {
            run.finish(status, end > 0 ? Instant.ofEpochMilli(end) : null);
        }
        run.emit(events);
    }

    /** MLflow's RunStatus: 1 RUNNING, 2 SCHEDULED, 3 FINISHED, 4 FAILED, 5 KILLED (or their names); null while not ended. */
    private static String status(JsonNode s) {
        if (s == null || s.isNull()) {
            return "completed"; // a run with no status: its log is all there is
        }
        String v = s.asText().trim().toUpperCase(java.util.Locale.ROOT);
        return switch (v) {
            case "3", "FINISHED" -> "completed";
            case "4", "FAILED" -> "failed";
            case "5", "KILLED" -> "killed";
            default -> null;
        };
    }

    private static JsonNode meta(Path yaml, Consumer<EventFiles.Problem> problems) {
        try {
            JsonNode root = EventFiles.YAML.readTree(yaml.toFile());
            return root == null ? EventFiles.YAML.createObjectNode() : root;
        } catch (IOException | RuntimeException e) {
            problems.accept(EventFiles.Problem.ofFile(yaml, "unreadable, ignored: " + oneLine(e.getMessage())));
            return EventFiles.YAML.createObjectNode();
        }
    }

    private static void params(Path dir, RunLog run) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String value = Files.readString(f, StandardCharsets.UTF_8);
            run.param(dir.relativize(f).toString().replace(java.io.File.separatorChar, '/'), TextNode.valueOf(value.strip()));
        }
    }

    /** A metric file: {@code timestamp value step} per line ({@code step} absent in old files: the line's place). */
    private static Series series(Path file, String name, Consumer<EventFiles.Problem> problems) throws IOException {
        Series s = new Series(name);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                try {
                    if (f.length < 2) {
                        throw new NumberFormatException("expected 'timestamp value step'");
                    }
                    long millis = Long.parseLong(f[0]);
                    double step = f.length > 2 ? Long.parseLong(f[2]) : lineNo;
                    s.add(step, EventFiles.number(f[1]), millis);
                } catch (NumberFormatException e) {
                    problems.accept(new EventFiles.Problem(file, lineNo, "not a metric line: " + oneLine(e.getMessage())));
                }
            }
        }
        return s;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
