package dev.lossdoctor.streams;

import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.io.EventFiles;
import dev.lossdoctor.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What {@code loss-doctor analyze} says about a file of events: the reference the stream must match. */
public final class OfflineAnalysis {

    /** A real run of the project's corpus, labelled overfitting. */
    public static final Path OVERFITTING_RUN = Path.of("bench/corpus/pc-031.jsonl");

    private OfflineAnalysis() {
    }

    public static List<DiagnosisEvent> diagnoses(Path file) {
        RunAnalyzer analyzer = new RunAnalyzer();
        Map<String, RunState> runs = new HashMap<>();
        List<DiagnosisEvent> out = new ArrayList<>();
        try {
            new EventFiles().read(file, e -> out.addAll(analyzer.apply(runs.computeIfAbsent(e.runId(), RunState::new), e)),
                    problem -> {
                        throw new IllegalStateException(problem.toString());
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Events as their wire JSON text, for comparing field by field (evidence included; numbers as written). */
    public static List<String> json(List<DiagnosisEvent> events) {
        return events.stream().map(Json::diagnosis).toList();
    }
}
