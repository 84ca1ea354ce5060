package dev.lossdoctor.publish;

import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.EventFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The training events of the logs people already have, read exactly as {@code analyze} reads
 * them ({@link EventFiles}): in file order, and grouped by run. Everything is read before anything
 * is sent, so an unreadable file stops a publish before its first record.
 */
public final class RunLogs {

    /** One run's events, in the order its files hold them. */
    public record Run(String runId, List<TrainingEvent> events) {
        public Run {
            events = List.copyOf(events);
        }
    }

    private final List<TrainingEvent> events;
    private final List<Run> runs;
    private final int files;
    private final long problems;

    private RunLogs(List<TrainingEvent> events, List<Run> runs, int files, long problems) {
        this.events = List.copyOf(events);
        this.runs = List.copyOf(runs);
        this.files = files;
        this.problems = problems;
    }

    /**
     * Reads the files and directories named (a directory stands for its event files, as in
     * {@code analyze}), handing each unusable line to {@code problems}.
     *
     * @throws IOException a path that does not exist or a file that can't be read, its message naming it
     */
    public static RunLogs read(List<Path> paths, Consumer<EventFiles.Problem> problems) throws IOException {
        List<Path> files = EventFiles.expand(paths);
        EventFiles reader = new EventFiles();
        List<TrainingEvent> events = new ArrayList<>();
        Map<String, List<TrainingEvent>> byRun = new LinkedHashMap<>();
        long[] bad = {0};
        for (Path file : files) {
            try {
                reader.read(file, e -> {
                    events.add(e);
                    byRun.computeIfAbsent(e.runId(), k -> new ArrayList<>()).add(e);
                }, p -> {
                    bad[0]++;
                    problems.accept(p);
                });
            } catch (IOException | UncheckedIOException e) {
                Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
                throw new IOException(file + ": " + (cause instanceof java.nio.charset.CharacterCodingException
                        ? "not UTF-8 text" : cause.getMessage()), cause);
            }
        }
        List<Run> runs = new ArrayList<>();
        byRun.forEach((id, list) -> runs.add(new Run(id, list)));
        return new RunLogs(events, runs, files.size(), bad[0]);
    }

    /** Every usable event, in the order of the files and of their lines. */
    public List<TrainingEvent> events() {
        return events;
    }

    /** The runs, in the order they first appear. */
    public List<Run> runs() {
        return runs;
    }

    /** How many files were read. */
    public int files() {
        return files;
    }

    /** How many lines could not be used (each one handed to the problems consumer). */
    public long problems() {
        return problems;
    }
}
