package dev.lossdoctor.cli;

import dev.lossdoctor.chart.AdviceCost;
import dev.lossdoctor.chart.HtmlReport;
import dev.lossdoctor.chart.ReportBuilder;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.SweepRule;
import dev.lossdoctor.core.Sweeps;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.EventFiles;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.io.LossNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code analyze}: the stream's analysis, offline, over event files. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Reads training logs and prints each run's diagnosis timeline, through the same analysis the "
                + "stream runs. Recognised by name and content: JSON Lines event files, Keras CSVLogger CSVs, Hugging Face "
                + "trainer_state.json, Lightning CSVLogger metrics.csv, TensorBoard event files and MLflow file-store runs; "
                + "a directory is searched recursively.",
                "Unusable lines are reported on stderr with file and line; the rest is still analysed.",
                "With --html, also writes a self-contained HTML report: a summary table, then each run's loss curves "
                        + "with its diagnoses shaded on them and the advice beside."})
final class AnalyzeCommand implements Callable<Integer> {

    enum Format { table, jsonl, status }

    @Spec
    CommandSpec spec;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|jsonl|status",
            description = "table (default): a timeline per run; jsonl: exactly the training-diagnoses events, one per line; "
                    + "status: each run's final status as training-run-status carries it, one per line.")
    Format format;

    @Option(names = "--html", paramLabel = "REPORT.html",
            description = "Also write an HTML report (one file, opens offline) with a chart per run. stdout is unchanged.")
    Path html;

    @Option(names = "--train-metric", paramLabel = "NAME",
            description = "The training loss of other tools' logs (a column, tag or metric name), instead of the name rules.")
    String trainMetric;

    @Option(names = "--val-metric", paramLabel = "NAME",
            description = "The validation loss of other tools' logs, instead of the name rules.")
    String valMetric;

    @Option(names = "--sweep-percentile", defaultValue = "20", paramLabel = "P",
            description = "A run of a sweep (config.sweep_id) is lagging when its best validation loss is worse than this "
                    + "percentile of its siblings' at the same epoch (default: 20, i.e. outside their best fifth; 50: the median).")
    double sweepPercentile;

    @Option(names = "--stop-lagging",
            description = "Replay each sweep as if every run had been stopped at its first lagging: it finishes there, its "
                    + "later events are dropped, so its siblings are compared with what such a sweep would have seen (what stopping saves).")
    boolean stopLagging;

    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "Logs, or directories searched recursively for them.")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
        List<EventFiles.Source> inputs;
        try {
            inputs = EventFiles.sources(files);
        } catch (IOException e) {
            throw new LossDoctor.UserError(e.getMessage(), 2);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (html != null) {
            checkWritable(html);
        }
        ReportBuilder report = html == null ? null : new ReportBuilder();
        RunAnalyzer analyzer = new RunAnalyzer();
        Sweeps sweeps = new Sweeps(sweepRule());
        Map<String, RunState> runs = new LinkedHashMap<>();
        Map<String, List<DiagnosisEvent>> timelines = new LinkedHashMap<>();
        EventFiles reader = new EventFiles(new LossNames(trainMetric, valMetric));
        Analysis analysis = new Analysis(analyzer, sweeps, runs, timelines, report, out);
        // Runs of no sweep are analysed as they are read, so a large file takes memory for its runs,
        // not its events; only the events of sweeps wait, to be replayed as if their runs ran together.
        Set<String> ofSweeps = new HashSet<>();
        List<TrainingEvent> sweepEvents = new ArrayList<>();
        int[] problems = {0};
        for (EventFiles.Source input : inputs) {
            Path file = input.path();
            try {
                reader.read(input, event -> {
                    if (Sweeps.sweepId(event) != null) {
                        ofSweeps.add(event.runId());
                    }
                    if (ofSweeps.contains(event.runId())) {
                        sweepEvents.add(event);
                    } else {
                        analysis.accept(event);
                    }
                }, problem -> {
                    if (problem.line() > 0) { // a whole-file problem (a run not read, a warning) is its own line
                        problems[0]++;
                    }
                    err.println(problem);
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new LossDoctor.UserError(file + ": " + e.getMessage(), 2);
            }
        }
        SweepOrder.of(sweepEvents).forEach(analysis::accept);
        if (format == Format.status) {
            for (RunState state : runs.values()) {
                out.println(Json.status(sweeps.status(analyzer.statusWithoutCurve(state))));
            }
        }
        if (format == Format.table) {
            TimelineTable.print(out, timelines, AdviceCost.ofStates(runs.values()));
        }
        out.flush();
        if (problems[0] > 0) {
            err.println(problems[0] + " unusable line(s) skipped");
        }
        if (report != null) {
            runs.forEach((id, state) -> {
                RunStatus status = analyzer.status(state);
                report.forecast(id, status.forecast());
                report.spikes(id, status.spikes());
            });
            writeReport(report, runs, err);
        }
        return 0;
    }

    /** One event through the run's analysis and its sweep; its diagnoses to the chosen output. */
    private final class Analysis {
        private final RunAnalyzer analyzer;
        private final Sweeps sweeps;
        private final Map<String, RunState> runs;
        private final Map<String, List<DiagnosisEvent>> timelines;
        private final ReportBuilder report;
        private final PrintWriter out;
        private final Set<String> stopped = new HashSet<>();

        Analysis(RunAnalyzer analyzer, Sweeps sweeps, Map<String, RunState> runs,
                 Map<String, List<DiagnosisEvent>> timelines, ReportBuilder report, PrintWriter out) {
            this.analyzer = analyzer;
            this.sweeps = sweeps;
            this.runs = runs;
            this.timelines = timelines;
            this.report = report;
            this.out = out;
        }

        void accept(TrainingEvent event) {
            if (stopped.contains(event.runId())) {
                return;
            }
            List<TrainingEvent> now = new ArrayList<>(List.of(event));
            for (int i = 0; i < now.size(); i++) {
                TrainingEvent e = now.get(i);
                RunState state = runs.computeIfAbsent(e.runId(), RunState::new);
                if (report != null) {
                    report.event(e);
                }
                for (DiagnosisEvent d : sweeps.apply(state, e, analyzer.apply(state, e), analyzer, runs::get)) {
                    if (report != null) {
                        report.diagnosis(d);
                    }
                    if (stopLagging && d.diagnosis() == Diagnosis.LAGGING && stopped.add(d.runId())) {
                        // what a stopped trainer reports: its end, here and now
                        now.add(new RunFinished(d.runId(), d.epoch(), "stopped", d.timestamp()));
                    }
                    if (format == Format.jsonl) {
                        out.println(Json.diagnosis(d));
                    } else {
                        timelines.computeIfAbsent(d.runId(), k -> new ArrayList<>()).add(d);
                    }
                }
            }
        }
    }

    private SweepRule sweepRule() {
        try {
            return SweepRule.DEFAULT.withPercentile(sweepPercentile);
        } catch (IllegalArgumentException e) {
            throw new LossDoctor.UserError("--sweep-percentile: " + e.getMessage(), 2);
        }
    }

    /** Fails before the analysis, not after it, when the report could not be written anyway. */
    private static void checkWritable(Path report) {
        Path dir = report.toAbsolutePath().getParent();
        if (Files.isDirectory(report)) {
            throw new LossDoctor.UserError("cannot write report " + report + ": it is a directory", 2);
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new LossDoctor.UserError("cannot write report " + report + ": no such directory " + dir, 2);
        }
        if (!Files.isWritable(dir) && !Files.isWritable(report)) {
            throw new LossDoctor.UserError("cannot write report " + report + ": permission denied", 2);
        }
    }

    private void writeReport(ReportBuilder report, Map<String, RunState> states, PrintWriter err) {
        var runs = report.runs(states::get);
        try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
            HtmlReport.write(w, source(), runs);
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            String why = cause instanceof NoSuchFileException ? "no such file or directory"
                    : cause instanceof AccessDeniedException ? "permission denied" : cause.getMessage();
            throw new LossDoctor.UserError("cannot write report " + html + ": " + why, 1);
        }
        err.println("report: " + html + " (" + runs.size() + (runs.size() == 1 ? " run)" : " runs)"));
    }

    /** The inputs as the user named them, for the report's header. */
    private String source() {
        List<String> names = files.stream().map(Path::toString).toList();
        return names.size() <= 4 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
    }
}
