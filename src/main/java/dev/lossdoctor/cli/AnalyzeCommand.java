package dev.lossdoctor.cli;

import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.io.EventFiles;
import dev.lossdoctor.io.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code analyze}: the stream's analysis, offline, over event files. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Reads training event files (JSON Lines, or Keras CSVLogger CSV) and prints each run's "
                + "diagnosis timeline, through the same analysis the stream runs.",
                "Unusable lines are reported on stderr with file and line; the rest is still analysed."})
final class AnalyzeCommand implements Callable<Integer> {

    enum Format { table, jsonl }

    @Spec
    CommandSpec spec;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|jsonl",
            description = "table (default): a timeline per run; jsonl: exactly the training-diagnoses events, one per line.")
    Format format;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Event files or directories of them.")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
        List<Path> inputs;
        try {
            inputs = EventFiles.expand(files);
        } catch (IOException e) {
            throw new LossDoctor.UserError(e.getMessage(), 2);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunAnalyzer analyzer = new RunAnalyzer();
        Map<String, RunState> runs = new LinkedHashMap<>();
        Map<String, List<DiagnosisEvent>> timelines = new LinkedHashMap<>();
        EventFiles reader = new EventFiles();
        int[] problems = {0};
        for (Path file : inputs) {
            try {
                reader.read(file, event -> {
                    RunState state = runs.computeIfAbsent(event.runId(), RunState::new);
                    for (DiagnosisEvent d : analyzer.apply(state, event)) {
                        if (format == Format.jsonl) {
                            out.println(Json.diagnosis(d));
                        } else {
                            timelines.computeIfAbsent(d.runId(), k -> new ArrayList<>()).add(d);
                        }
                    }
                }, problem -> {
                    problems[0]++;
                    err.println(problem);
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new LossDoctor.UserError(file + ": " + e.getMessage(), 2);
            }
        }
        if (format == Format.table) {
            TimelineTable.print(out, timelines);
        }
        out.flush();
        if (problems[0] > 0) {
            err.println(problems[0] + " unusable line(s) skipped");
        }
        return 0;
    }
}
