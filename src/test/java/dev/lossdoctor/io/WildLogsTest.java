package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every raw run of {@code ../shared/curves/wild} (real logs as their authors published them: Hugging
 * Face, Lightning, Keras, TensorBoard, MLflow) read by the readers, point by point against the same
 * run converted to events by hand ({@code events/<id>.jsonl}): the same number of points, the same
 * training and validation losses, at the same steps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WildLogsTest {

    /** {@code ../shared} beside the project, as CI has it; {@code -Dshared.dir=DIR} for a checkout elsewhere (as every test reading ../shared). */
    static final Path SHARED = Path.of(System.getProperty("shared.dir", "../shared"));
    static final Path WILD = SHARED.resolve("curves/wild");

    record Oracle(Long step, Double epoch, Double train, Double val) {
    }

    private static List<JsonNode> manifest() throws IOException {
        List<JsonNode> runs = new ArrayList<>();
        for (String line : Files.readAllLines(WILD.resolve("manifest.jsonl"))) {
            if (!line.isBlank()) {
                runs.add(EventFiles.LOGS.readTree(line));
            }
        }
        return runs;
    }

    private static List<Oracle> converted(String id) throws IOException {
        List<Oracle> points = new ArrayList<>();
        for (String line : Files.readAllLines(WILD.resolve("events/" + id + ".jsonl"))) {
            JsonNode e = EventFiles.LOGS.readTree(line);
            if (!e.path("type").asText().equals("metrics")) {
                continue;
            }
            JsonNode m = e.get("metrics");
            points.add(new Oracle(e.hasNonNull("step") ? e.get("step").asLong() : null,
                    e.hasNonNull("epoch") ? e.get("epoch").asDouble() : null, number(m.get("train_loss")), number(m.get("val_loss"))));
        }
        return points;
    }

    static int convertedPoints(String id) throws IOException {
        return converted(id).size();
    }

    private static Double number(JsonNode v) {
        if (v == null) {
            return null;
        }
        return v.isNumber() ? v.asDouble() : EventFiles.number(v.asText());
    }

    record Read(List<TrainingEvent> events, List<EventFiles.Problem> problems) {
        List<MetricsReported> points() {
            return events.stream().filter(e -> e instanceof MetricsReported).map(e -> (MetricsReported) e).toList();
        }
    }

    private static Read read(Path raw) throws IOException {
        List<TrainingEvent> events = new ArrayList<>();
        List<EventFiles.Problem> problems = new ArrayList<>();
        new EventFiles().read(new EventFiles.Source(raw, "run"), events::add, problems::add);
        return new Read(events, problems);
    }

    @Test
    void shouldReadEveryRawRunWithTheConvertedRunsPoints() throws IOException {
        Map<String, String> mismatches = new LinkedHashMap<>();
        int runs = 0, points = 0;
        for (JsonNode run : manifest()) {
            String id = run.get("id").asText();
            String format = run.get("format").asText();
            Read r = read(WILD.resolve(run.get("raw").asText()));
            List<MetricsReported> mine = r.points();
            List<Oracle> theirs = converted(id);
            runs++;
            if (mine.size() != theirs.size()) {
                mismatches.put(id, mine.size() + " points, converted " + theirs.size() + " " + r.problems());
                continue;
            }
            for (int i = 0; i < mine.size(); i++) {
                MetricsReported p = mine.get(i);
                Oracle o = theirs.get(i);
                String where = id + " point " + i;
                if (!same(p.metrics().get("train_loss"), o.train()) || !same(p.metrics().get("val_loss"), o.val())) {
                    mismatches.put(where, "train " + p.metrics().get("train_loss") + " val " + p.metrics().get("val_loss")
                            + ", converted " + o);
                    break;
                }
                if (!format.equals("keras") && !java.util.Objects.equals(p.step(), o.step())) {
                    mismatches.put(where, "step " + p.step() + ", converted " + o.step());
                    break;
                }
                Double expectedEpoch = o.epoch() == null ? null : format.equals("keras") ? o.epoch() - 1 : o.epoch();
                // a Keras file appended by a second training: its first row (epoch 0 again) was numbered on by the converter
                boolean restartRow = format.equals("keras") && i > 0 && p.epoch() != null && p.epoch() <= mine.get(i - 1).epoch();
                if (p.epoch() != null && !restartRow && !p.epoch().equals(expectedEpoch == null ? null : (long) expectedEpoch.doubleValue())) {
                    mismatches.put(where, "epoch " + p.epoch() + ", converted " + o.epoch());
                    break;
                }
                points++;
            }
        }
        System.out.println("wild: " + runs + " runs read, " + points + " points equal to the converted events");
        assertThat(mismatches).isEmpty();
        assertThat(runs).isEqualTo(227);
    }

    private static boolean same(Double mine, Double theirs) {
        if (mine == null || theirs == null) {
            return mine == null && theirs == null;
        }
        return mine.equals(theirs) || Double.isNaN(mine) && Double.isNaN(theirs);
    }
}
