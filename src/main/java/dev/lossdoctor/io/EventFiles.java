package dev.lossdoctor.io;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lossdoctor.core.TrainingEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads training events from the logs people have, recognised by name and content: JSON Lines event
 * files (many runs interleaved, or one per file), Keras CSVLogger files, Hugging Face Trainer
 * {@code trainer_state.json}, PyTorch Lightning CSVLogger {@code metrics.csv}, TensorBoard event
 * files and MLflow file-store runs. A directory stands for the logs under it, searched recursively.
 * Which metric is the training and which the validation loss of another tool's log is
 * {@link LossNames}' choice.
 */
public final class EventFiles {

    /** Something that can't be used, or a warning: where it is (line 0: the whole file) and why. */
    public record Problem(Path file, long line, String reason) {

        static Problem ofFile(Path file, String reason) {
            return new Problem(file, 0, reason);
        }

        @Override
        public String toString() {
            return line == 0 ? file + ": " + reason : file + ":" + line + ": " + reason;
        }
    }

    /** One run's log, or one JSON Lines file, and the name a run read from it gets (its run id). */
    public record Source(Path path, String name) {
    }

    /** Parses other tools' JSON, which Python writes with bare NaN and Infinity. */
    static final ObjectMapper LOGS = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** Reads Lightning's {@code hparams.yaml} and MLflow's {@code meta.yaml}. */
    static final com.fasterxml.jackson.dataformat.yaml.YAMLMapper YAML = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();

    private static final String TFEVENTS = "events.out.tfevents.";
    /** Keras' TensorBoard callback writes a run as {@code logs/train/} and {@code logs/validation/}. */
    private static final Set<String> SPLIT_FOLDERS = Set.of("train", "validation", "val", "eval", "valid");
    /** File names that name no run: the run is named after the folder. */
    private static final Set<String> GENERIC_NAMES = Set.of("trainer_state.json", "metrics.csv");

    private final EventParser parser = new EventParser();
    private final LossNames names;

    public EventFiles() {
        this(LossNames.BY_NAME);
    }

    public EventFiles(LossNames names) {
        this.names = names;
    }

    /** The logs named, each directory replaced by the logs found under it (sorted by path). */
    public static List<Path> expand(List<Path> paths) throws IOException {
        return sources(paths).stream().map(Source::path).toList();
    }

    /**
     * The logs named, each directory replaced by the logs found under it, recursively (sorted by path):
     * JSON Lines, Keras and Lightning CSVs, Hugging Face trainer states, TensorBoard run folders and
     * MLflow run folders. A run found under a directory is named by its path from there.
     */
    public static List<Source> sources(List<Path> paths) throws IOException {
        List<Source> sources = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                Set<Path> units = new LinkedHashSet<>();
                collect(p, units);
                for (Path u : units) {
                    sources.add(new Source(u, name(p, u)));
                }
            } else if (Files.isReadable(p) && Files.isRegularFile(p)) {
                sources.add(new Source(p, name(p.toAbsolutePath().getParent(), p)));
            } else {
                throw new IOException(p + ": " + (Files.exists(p) ? "not a readable file" : "no such file or directory"));
            }
        }
        return sources;
    }

    private static void collect(Path dir, Set<Path> units) throws IOException {
        if (isMlflowRun(dir)) {
            units.add(dir);
            return;
        }
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted().toList();
        }
        for (Path c : children) {
            if (Files.isDirectory(c)) {
                collect(c, units);
            } else if (isTensorBoardFile(c)) {
                Path parent = c.getParent();
                units.add(isSplitFolder(parent) && parent.getParent() != null ? parent.getParent() : parent);
            } else if (Files.isRegularFile(c) && isLog(c)) {
                units.add(c);
            }
        }
    }

    /** A Keras split folder ({@code train/}, {@code validation/}): part of the run of the folder above. */
    static boolean isSplitFolder(Path dir) {
        return dir.getFileName() != null && SPLIT_FOLDERS.contains(dir.getFileName().toString().toLowerCase(Locale.ROOT));
    }

    static boolean isMlflowRun(Path dir) {
        return Files.isRegularFile(dir.resolve("meta.yaml")) && Files.isDirectory(dir.resolve("metrics"));
    }

    static boolean isTensorBoardFile(Path f) {
        return f.getFileName().toString().startsWith(TFEVENTS) && Files.isRegularFile(f);
    }

    /** A file met in a directory search that is a log: by name, then by its first line. */
    private static boolean isLog(Path f) throws IOException {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return true;
        }
        if (!name.endsWith(".json") && !name.endsWith(".csv") && !name.endsWith(".log")) {
            return false;
        }
        String first = firstLine(f);
        if (first == null) {
            return name.endsWith(".json") || name.endsWith(".csv"); // an empty event file reads as nothing
        }
        return switch (sniff(f, first)) {
            case JSON_LINES -> name.endsWith(".json");
            case HF_TRAINER_STATE, LIGHTNING_CSV, KERAS_CSV -> true;
            case UNKNOWN -> false;
        };
    }

    private enum Kind { JSON_LINES, HF_TRAINER_STATE, LIGHTNING_CSV, KERAS_CSV, UNKNOWN }

    /**
     * What a file is by its content: a JSON object on its first line is JSON Lines (unless it is a
     * one-line trainer state); a JSON document with {@code log_history} a Hugging Face trainer state; a
     * CSV header with {@code epoch} and {@code step} columns a Lightning {@code metrics.csv}; one with
     * {@code epoch} and no {@code step} a Keras CSVLogger file.
     */
    private static Kind sniff(Path f, String first) {
        String line = first.strip();
        if (line.startsWith("{")) {
            boolean wholeObject = line.endsWith("}") && !line.contains("\"log_history\"");
            return wholeObject ? Kind.JSON_LINES : HfTrainerState.recognise(f) ? Kind.HF_TRAINER_STATE : Kind.UNKNOWN;
        }
        List<String> header = CsvRows.split(line).stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        if (header.contains("epoch")) {
            return header.contains("step") ? Kind.LIGHTNING_CSV : Kind.KERAS_CSV;
        }
        return Kind.UNKNOWN;
    }

    private static String firstLine(Path f) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    return line.startsWith("\uFEFF") ? line.substring(1) : line;
                }
            }
            return null;
        } catch (java.nio.charset.MalformedInputException e) {
            return null; // not text
        }
    }

    /**
     * The name of a run found at {@code unit} under {@code root}: its path from there, without the
     * file's extension; for a generic file name ({@code trainer_state.json}, {@code metrics.csv}) the
     * folder's path; when that leaves nothing, the folder's (or file's) own name.
     */
    static String name(Path root, Path unit) {
        Path u = unit.toAbsolutePath().normalize();
        Path r = root == null ? null : root.toAbsolutePath().normalize();
        boolean file = !Files.isDirectory(u);
        Path named = u;
        if (file && GENERIC_NAMES.contains(u.getFileName().toString().toLowerCase(Locale.ROOT)) && u.getParent() != null) {
            named = u.getParent();
            file = false;
        }
        String rel = r != null && named.startsWith(r) ? r.relativize(named).toString() : "";
        if (rel.isEmpty()) {
            rel = named.getFileName() == null ? "run" : named.getFileName().toString();
        }
        rel = rel.replace(java.io.File.separatorChar, '/');
        return file ? rel.replaceFirst("\\.[^./]*$", "") : rel;
    }

    /** Reads one log, named as a file given on its own is. */
    public void read(Path file, Consumer<TrainingEvent> events, Consumer<Problem> problems) throws IOException {
        read(new Source(file, name(file.toAbsolutePath().getParent(), file)), events, problems);
    }

    /** Reads one log, handing each usable event to {@code events} and each problem to {@code problems}. */
    public void read(Source source, Consumer<TrainingEvent> events, Consumer<Problem> problems) throws IOException {
        Path path = source.path();
        if (Files.isDirectory(path)) {
            if (isMlflowRun(path)) {
                MlflowRun.read(path, source.name(), names, events, problems);
            } else {
                TensorBoardRun.read(path, source.name(), names, events, problems);
            }
            return;
        }
        if (isTensorBoardFile(path)) {
            TensorBoardRun.read(path, source.name(), names, events, problems);
            return;
        }
        String first = firstLine(path);
        if (first == null) {
            return;
        }
        String lower = path.getFileName().toString().toLowerCase(Locale.ROOT);
        Kind kind = lower.endsWith(".jsonl") || lower.endsWith(".ndjson") ? Kind.JSON_LINES : sniff(path, first);
        switch (kind) {
            case HF_TRAINER_STATE -> HfTrainerState.read(path, source.name(), names, events, problems);
            case LIGHTNING_CSV -> LightningCsv.read(path, source.name(), names, events, problems);
            case KERAS_CSV -> KerasCsv.read(path, source.name(), names, events, problems);
            case JSON_LINES -> readJsonLines(path, events, problems);
            case UNKNOWN -> {
                if (first.strip().startsWith("{")) {
                    readJsonLines(path, events, problems); // says, line by line, what is wrong with it
                } else {
                    problems.accept(new Problem(path, 1, "not a log Loss Doctor reads: neither JSON Lines, a Hugging Face "
                            + "trainer_state.json, nor a CSVLogger file with an 'epoch' column"));
                }
            }
        }
    }

    private void readJsonLines(Path file, Consumer<TrainingEvent> events, Consumer<Problem> problems) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
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
    }

    /** A logged number as text: NaN, Infinity and their spellings are non-finite; an empty cell is NaN. */
    static double number(String text) {
        String s = text.strip().replace("\"", "").toLowerCase(Locale.ROOT);
        return switch (s) {
            case "", "nan", "-nan", "none", "null" -> Double.NaN;
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}
