package dev.lossdoctor.demo;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training curves the simulated trainers replay: the real runs bundled in the jar
 * ({@code /demo/curves}, listed by its {@code index}), or the JSON Lines files of a directory.
 * Each curve is one run's events in file order, as JSON objects.
 */
public final class DemoCurves {

    /** One run to replay: its id and its events (run_started, metrics..., run_finished) in order. */
    public record Curve(String runId, List<ObjectNode> events) {
        public Curve {
            events = List.copyOf(events);
        }

        /** The number of metrics events (epochs or steps) in the run. */
        public long points() {
            return events.stream().filter(e -> "metrics".equals(type(e))).count();
        }
    }

    static final String RESOURCE_DIR = "/demo/curves/";

    // Python's json writes NaN and Infinity bare; the event format accepts them
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .build();

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

    /** The runs in the .jsonl files of a directory (sorted by name; a file may hold several runs). */
    public static List<Curve> fromDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> Files.isRegularFile(f) && isJsonLines(f)).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(dir + ": no .jsonl files to replay");
        }
        Map<String, List<ObjectNode>> runs = new LinkedHashMap<>();
        for (Path f : files) {
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                for (Curve c : read(r)) {
                    runs.computeIfAbsent(c.runId(), k -> new ArrayList<>()).addAll(c.events());
                }
            }
        }
        List<Curve> curves = new ArrayList<>();
        runs.forEach((id, events) -> curves.add(new Curve(id, events)));
        return curves;
    }

    private static boolean isJsonLines(Path f) {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".ndjson");
    }

    /**
     * Reads JSON Lines, grouping the events by run id (file order kept). Lines that aren't JSON
     * objects with a run id are skipped: the replay sends what the service can key.
     */
    static List<Curve> read(Reader reader) throws IOException {
        Map<String, List<ObjectNode>> runs = new LinkedHashMap<>();
        BufferedReader in = new BufferedReader(reader);
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = MAPPER.readTree(line);
            } catch (IOException e) {
                continue;
            }
            if (node instanceof ObjectNode o && o.path("run_id").isTextual() && !o.get("run_id").asText().isEmpty()) {
                runs.computeIfAbsent(o.get("run_id").asText(), k -> new ArrayList<>()).add(o);
            }
        }
        List<Curve> curves = new ArrayList<>();
        runs.forEach((id, events) -> curves.add(new Curve(id, events)));
        return curves;
    }

    static String type(JsonNode event) {
        JsonNode t = event.get("type");
        return t == null || t.isNull() ? "metrics" : t.asText();
    }
}
