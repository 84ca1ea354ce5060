package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading event files: JSON Lines with runs interleaved, Keras CSVLogger files, and lines that can't be used. */
class EventFilesTest {

    @TempDir
    Path dir;

    private final List<TrainingEvent> events = new ArrayList<>();
    private final List<EventFiles.Problem> problems = new ArrayList<>();

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private void read(Path file) throws IOException {
        new EventFiles().read(file, events::add, problems::add);
    }

    private List<MetricsReported> metricsOf(String runId) {
        return events.stream().filter(e -> e instanceof MetricsReported && e.runId().equals(runId))
                .map(e -> (MetricsReported) e).toList();
    }

    @Test
    void shouldReadRunsInterleavedInOneJsonLinesFile() throws IOException {
        StringBuilder jsonl = new StringBuilder();
        jsonl.append("{\"type\":\"run_started\",\"run_id\":\"a\",\"config\":{\"lr\":0.1}}\n");
        jsonl.append("{\"type\":\"run_started\",\"run_id\":\"b\"}\n");
        for (int e = 1; e <= 5; e++) {
            jsonl.append(String.format(Locale.ROOT, "{\"run_id\":\"a\",\"epoch\":%d,\"loss\":%.3f}%n", e, 2.0 / e));
            jsonl.append(String.format(Locale.ROOT, "{\"run_id\":\"b\",\"epoch\":%d,\"metrics\":{\"train_loss\":%.3f}}%n", e, 3.0 / e));
        }
        jsonl.append("\n   \n");
        jsonl.append("{\"type\":\"run_finished\",\"run_id\":\"b\",\"epoch\":5}\n");
        read(write("mixed.jsonl", jsonl.toString()));

        assertThat(problems).isEmpty();
        assertThat(events).hasSize(13);
        assertThat(events.get(0)).isInstanceOf(RunStarted.class);
        assertThat(((RunStarted) events.get(0)).config().lr()).isEqualTo(0.1);
        assertThat(metricsOf("a")).extracting(MetricsReported::epoch).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(metricsOf("a").get(3).metrics()).containsOnly(entry("train_loss", 0.5));
        assertThat(metricsOf("b").get(2).metrics()).containsOnly(entry("train_loss", 1.0));
        assertThat(events.get(events.size() - 1)).isInstanceOf(RunFinished.class)
                .extracting(TrainingEvent::runId).isEqualTo("b");
    }

    @Test
    void shouldReportABadLineWithFileLineAndReasonAndReadTheRest() throws IOException {
        Path file = write("run.jsonl", """
                {"run_id":"r","epoch":1,"loss":2.0}
                {"run_id":"r","epoch":2,"loss":1.5}
                {"run_id":"r","epoch":3,"loss":
                {"run_id":"r","epoch":"four","loss":1.0}

                [1,2]
                {"run_id":"r","epoch":5,"loss":0.9}
                """);
        read(file);

        assertThat(events).extracting(TrainingEvent::runId).containsOnly("r");
        assertThat(events).extracting(e -> ((MetricsReported) e).epoch()).containsExactly(1L, 2L, 5L);
        assertThat(problems).extracting(EventFiles.Problem::line).containsExactly(3L, 4L, 6L);
        assertThat(problems).allSatisfy(p -> assertThat(p.file()).isEqualTo(file));
        assertThat(problems.get(0).reason()).startsWith("not JSON");
        assertThat(problems.get(1).reason()).contains("epoch is not a number");
        assertThat(problems.get(2).reason()).contains("not a JSON object");
        assertThat(problems.get(1).toString()).isEqualTo(file + ":4: " + problems.get(1).reason());
    }

    @Test
    void shouldReadAKerasCsvLoggerFileAsOneRunNamedAfterTheFile() throws IOException {
        // CSVLogger writes the keys sorted: epoch first, then the rest alphabetically
        read(write("resnet-seed1.csv", """
                epoch,accuracy,learning_rate,loss,val_accuracy,val_loss
                0,0.41,0.001,1.62,0.48,1.45
                1,0.55,0.001,1.25,0.57,1.20
                2,0.63,0.0005,1.03,0.61,1.11
                """));

        assertThat(problems).isEmpty();
        assertThat(events).hasSize(4);
        assertThat(events).extracting(TrainingEvent::runId).containsOnly("resnet-seed1");
        List<MetricsReported> m = metricsOf("resnet-seed1");
        assertThat(m).extracting(MetricsReported::epoch).containsExactly(0L, 1L, 2L);
        assertThat(m).extracting(MetricsReported::step).containsOnlyNulls();
        assertThat(m.get(2).metrics()).containsOnly(entry("train_accuracy", 0.63), entry("lr", 0.0005),
                entry("train_loss", 1.03), entry("val_accuracy", 0.61), entry("val_loss", 1.11));
        RunFinished f = (RunFinished) events.get(3);
        assertThat(f.runId()).isEqualTo("resnet-seed1");
        assertThat(f.epoch()).isEqualTo(2L);
        assertThat(f.status()).isEqualTo("completed");
    }

    @Test
    void shouldReadAKerasCsvWithOnlyLossColumnsAndNanCells() throws IOException {
        read(write("tiny.csv", """
                epoch,loss,val_loss
                0,0.90,0.95
                1,nan,0.91
                2,inf,
                3,"0.5",-inf
                """));

        assertThat(problems).isEmpty();
        List<MetricsReported> m = metricsOf("tiny");
        assertThat(m).hasSize(4);
        assertThat(m.get(0).metrics()).containsOnly(entry("train_loss", 0.90), entry("val_loss", 0.95));
        assertThat(m.get(1).metrics().get("train_loss")).isNaN();
        assertThat(m.get(2).metrics().get("train_loss")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(m.get(2).metrics().get("val_loss")).as("an empty cell").isNaN();
        assertThat(m.get(3).metrics()).containsEntry("train_loss", 0.5).containsEntry("val_loss", Double.NEGATIVE_INFINITY);
        assertThat(events.get(events.size() - 1)).isInstanceOf(RunFinished.class);
    }

    @Test
    void shouldReportBadCsvRowsAndReadTheOthers() throws IOException {
        Path file = write("rows.csv", """
                epoch,loss,val_loss
                0,0.9,0.95
                1,0.8
                two,0.7,0.8
                3,abc,0.7
                4,0.6,0.65
                """);
        read(file);

        assertThat(metricsOf("rows")).extracting(MetricsReported::epoch).containsExactly(0L, 4L);
        assertThat(problems).extracting(EventFiles.Problem::line).containsExactly(3L, 4L, 5L);
        assertThat(problems.get(0).reason()).contains("expected 3 columns, found 2");
        assertThat(problems.get(1).reason()).contains("not a number");
        assertThat(problems.get(2).reason()).contains("not a number");
        assertThat(problems).allSatisfy(p -> assertThat(p.toString()).startsWith(file + ":"));
        assertThat(((RunFinished) events.get(events.size() - 1)).epoch()).isEqualTo(4L);
    }

    @Test
    void shouldReportACsvWithoutAnEpochColumn() throws IOException {
        Path file = write("no-epoch.csv", "step,loss\n1,0.5\n");
        read(file);

        assertThat(events).isEmpty();
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(1L);
            assertThat(p.reason()).contains("epoch");
        });
    }

    @Test
    void shouldReadNothingFromAnEmptyFile() throws IOException {
        read(write("empty.jsonl", ""));
        assertThat(events).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldExpandADirectoryIntoItsEventFilesSorted() throws IOException {
        write("b.jsonl", "{}");
        write("a.csv", "epoch,loss\n");
        write("c.ndjson", "{}");
        write("notes.txt", "hello");
        Files.createDirectory(dir.resolve("sub.jsonl"));
        Path single = write("z.json", "{}");

        List<Path> files = EventFiles.expand(List.of(dir));
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("a.csv", "b.jsonl", "c.ndjson", "z.json");
        assertThat(EventFiles.expand(List.of(single))).containsExactly(single);
        assertThatThrownBy(() -> EventFiles.expand(List.of(dir.resolve("missing.jsonl"))))
                .isInstanceOf(IOException.class).hasMessageContaining("no such file");
    }

    @Test
    void shouldReadEveryRunOfADirectoryThroughTheSameParser() throws IOException {
        write("one.csv", "epoch,loss\n0,1.0\n1,0.8\n");
        write("two.jsonl", "{\"run_id\":\"two\",\"epoch\":0,\"loss\":1.0}\n");
        for (Path p : EventFiles.expand(List.of(dir))) {
            read(p);
        }
        assertThat(events.stream().map(TrainingEvent::runId).collect(Collectors.toSet())).containsExactlyInAnyOrder("one", "two");
    }
}
