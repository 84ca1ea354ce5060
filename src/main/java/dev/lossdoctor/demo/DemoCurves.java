package dev.lossdoctor.demo;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.EventFiles;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import dev.lossdoctor.publish.RunLogs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The training curves the simulated trainers replay: the real runs bundled in the jar
 * ({@code /demo/curves}, listed by its {@code index}), or the user's own logs, read as
 * {@code analyze} and {@code publish} read them. Each curve is one run's events in file order.
 */
public final class DemoCurves {

    /** One run to replay: its id and its events (run_started, metrics..., run_finished) in order. */
    public record Curve(String runId, List<TrainingEvent> events) {
        public Curve {
            events = List.copyOf(events);
        }

        /** The number of metrics events (epochs or steps) in the run. */
        public long points() {
            return events.stream().filter(e -> e instanceof MetricsReported).count();
        }
    }

    static final String RESOURCE_DIR = "/demo/curves/";

    private DemoCurves() {
    }

    /** The curves bundled in the jar, in the order of their index. */
    public static List<Curve> bundled() {
        List<Curve> curves = new ArrayList<>();
        for (String file : bundledFiles()) {
            try (InputStream in = DemoCurves.class.getResourceAsStream(RESOURCE_DIR + file)) {
                if (in == null) {
                    throw new IllegalStateException("demo curve " + file + " is in the index but not in the jar");
                }
                curves.addAll(read(new InputStreamReader(in, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return curves;
    }

    /** The file names the bundled index lists (first column; the label after a tab is for people). */
    static List<String> bundledFiles() {
        try (InputStream in = DemoCurves.class.getResourceAsStream(RESOURCE_DIR + "index")) {
            if (in == null) {
                throw new IllegalStateException("no demo curves in the jar (" + RESOURCE_DIR + "index)");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().map(l -> l.split("\t", 2)[0].strip()).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The runs in the user's logs (files, or directories of them), read as {@code publish} reads
     * them, each unusable line handed to {@code problems}.
     *
     * @throws IOException a path that does not exist, an unreadable file, or no runs at all
     */
    public static List<Curve> fromLogs(List<Path> paths, Consumer<EventFiles.Problem> problems) throws IOException {
        RunLogs logs = RunLogs.read(paths, problems);
        if (logs.runs().isEmpty()) {
            throw new IOException(String.join(" ", paths.stream().map(Path::toString).toList()) + ": no runs to replay"
                    + (logs.files() == 0 ? " (no log files)" : ""));
        }
        return logs.runs().stream().map(r -> new Curve(r.runId(), r.events())).toList();
    }

    /**
     * Reads JSON Lines events with the stream's own parser, grouping them by run id (file order
     * kept). Lines it rejects are skipped: the bundled curves are known to be clean.
     */
    static List<Curve> read(Reader reader) throws IOException {
        EventParser parser = new EventParser();
        Map<String, List<TrainingEvent>> runs = new LinkedHashMap<>();
        BufferedReader in = new BufferedReader(reader);
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            if (parser.parse(null, line.getBytes(StandardCharsets.UTF_8), null) instanceof ParseResult.Accepted a) {
                runs.computeIfAbsent(a.event().runId(), k -> new ArrayList<>()).add(a.event());
            }
        }
        List<Curve> curves = new ArrayList<>();
        runs.forEach((id, events) -> curves.add(new Curve(id, events)));
        return curves;
    }
}
