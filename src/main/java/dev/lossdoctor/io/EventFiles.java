package dev.lossdoctor.io;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.TrainingEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads training events from files: JSON Lines (many runs interleaved, or one per file) or a Keras
 * CSVLogger CSV (one run per file, named after the file). A directory stands for the files in it.
 */
public final class EventFiles {

    /** A line that can't be used: where it is and why. */
    public record Problem(Path file, long line, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + reason;
        }
    }

    private final EventParser parser = new EventParser();

    /** The files named, with each directory replaced by its .jsonl, .json and .csv files (sorted). */
    public static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> Files.isRegularFile(f) && isEventFile(f)).sorted().forEach(files::add);
                }
            } else if (Files.isReadable(p) && Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IOException(p + ": " + (Files.exists(p) ? "not a readable file" : "no such file or directory"));
            }
        }
        return files;
    }

    private static boolean isEventFile(Path f) {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson") || name.endsWith(".csv");
    }

    /** Reads one file, handing each usable event to {@code events} and each unusable line to {@code problems}. */
    public void read(Path file, Consumer<TrainingEvent> events, Consumer<Problem> problems) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            if (first == null) {
                return;
            }
            boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")
                    || !first.stripLeading().startsWith("{");
            if (csv) {
                readCsv(file, first, in, events, problems);
            } else {
                readJsonLines(file, first, in, events, problems);
            }
        }
    }

    private void readJsonLines(Path file, String first, BufferedReader in, Consumer<TrainingEvent> events,
                               Consumer<Problem> problems) throws IOException {
        long lineNo = 0;
        for (String line = first; line != null; line = in.readLine()) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            ParseResult r = parser.parse(null, line.getBytes(StandardCharsets.UTF_8), null);
            if (r instanceof ParseResult.Accepted a) {
                events.accept(a.event());
            } else {
                problems.accept(new Problem(file, lineNo, ((ParseResult.Rejected) r).reason()));
            }
        }
    }

    /**
     * A Keras CSVLogger file: a header ({@code epoch,loss,val_loss,...}) and one row per epoch.
     * The file holds the whole run, so it ends with {@code run_finished}.
     */
    private static void readCsv(Path file, String header, BufferedReader in, Consumer<TrainingEvent> events,
                                Consumer<Problem> problems) throws IOException {
        String runId = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        String[] names = header.trim().split(",", -1);
        int epochColumn = -1;
        for (int i = 0; i < names.length; i++) {
            names[i] = names[i].trim().replace("\"", "");
            if (names[i].equalsIgnoreCase("epoch")) {
                epochColumn = i;
            }
        }
        if (epochColumn < 0) {
            problems.accept(new Problem(file, 1, "neither JSON Lines nor a CSVLogger file with an 'epoch' column"));
            return;
        }
        long lineNo = 1;
        Long lastEpoch = null;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.trim().split(",", -1);
            if (cells.length != names.length) {
                problems.accept(new Problem(file, lineNo, "expected " + names.length + " columns, found " + cells.length));
                continue;
            }
            try {
                long epoch = Long.parseLong(cells[epochColumn].trim());
                if (epoch < 0) {
                    throw new NumberFormatException("negative epoch");
                }
                Map<String, Double> metrics = new HashMap<>();
                for (int i = 0; i < cells.length; i++) {
                    if (i != epochColumn && !names[i].isEmpty()) {
                        metrics.put(EventParser.canonicalName(names[i]), csvNumber(cells[i]));
                    }
                }
                events.accept(new MetricsReported(runId, epoch, null, null, metrics));
                lastEpoch = epoch;
            } catch (NumberFormatException e) {
                problems.accept(new Problem(file, lineNo, "not a number: " + e.getMessage()));
            }
        }
        if (lastEpoch != null) {
            events.accept(new RunFinished(runId, lastEpoch, "completed", null));
        }
    }

    private static double csvNumber(String cell) {
        String s = cell.trim().replace("\"", "").toLowerCase(Locale.ROOT);
        return switch (s) {
            case "", "nan", "-nan", "none" -> Double.NaN;
            case "inf", "infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}
