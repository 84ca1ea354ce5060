package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.TrainingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory searched recursively: which files and folders are runs, and what they are named. */
class LogSearchTest {

    @TempDir
    Path dir;

    private void write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    @Test
    void shouldFindEveryRunOfTheWildRawTreeAndReadEachWithoutAnError() throws IOException {
        List<EventFiles.Source> sources = EventFiles.sources(List.of(LogReadersTest.RAW));

        assertThat(sources).hasSize(227);
        assertThat(sources).extracting(EventFiles.Source::name).doesNotHaveDuplicates()
                .contains("hf/hf-001", "lightning/lightning-063", "keras/keras-003", "tensorboard/9", "mlflow/13");
        List<EventFiles.Problem> problems = new ArrayList<>();
        Map<String, Integer> points = new HashMap<>();
        EventFiles reader = new EventFiles();
        for (EventFiles.Source s : sources) {
            List<TrainingEvent> events = new ArrayList<>();
            reader.read(s, events::add, problems::add);
            points.put(s.name(), (int) events.stream().filter(e -> e instanceof MetricsReported).count());
            assertThat(events).allSatisfy(e -> assertThat(e.runId()).isEqualTo(s.name()));
        }
        assertThat(points).hasSize(227).allSatisfy((run, n) -> assertThat(n).as(run).isGreaterThanOrEqualTo(8));
        assertThat(problems).as("only the cut-off record of tb-015, as a warning").singleElement()
                .satisfies(p -> assertThat(p.reason()).startsWith("warning: cut off"));
    }

    @Test
    void shouldTakeRunsByNameAndContentAndLeaveOtherFilesAlone() throws IOException {
        write("hf/results/checkpoint-500/trainer_state.json", "{\n \"log_history\": [{\"loss\": 1.0, \"step\": 5}]\n}\n");
        write("hf/results/checkpoint-500/config.json", "{\n \"architectures\": [\"BertForSequenceClassification\"]\n}\n");
        write("hf/renamed.json", "{\"log_history\": [{\"loss\": 1.0, \"step\": 5}], \"global_step\": 5}\n");
        write("lightning_logs/version_0/metrics.csv", "epoch,step,train_loss\n0,9,1.0\n");
        write("lightning_logs/version_0/hparams.yaml", "lr: 0.1\n");
        write("data/train.csv", "x,y\n1,2\n");
        write("keras/training.log", "epoch,loss\n0,1.0\n");
        write("keras/notes.log", "INFO started\n");
        write("mlruns/0/meta.yaml", "name: Default\n");
        write("mlruns/0/abc/meta.yaml", "run_name: r\nstatus: 3\n");
        write("mlruns/0/abc/metrics/loss", "1 0.5 0\n");
        write("tb/logs/train/events.out.tfevents.1.host.v2", "");
        write("tb/logs/validation/events.out.tfevents.2.host.v2", "");
        write("tb/lightning_logs/version_1/events.out.tfevents.3.host", "");
        write("events.jsonl", "{\"run_id\":\"x\",\"epoch\":1,\"loss\":1}\n");

        List<EventFiles.Source> sources = EventFiles.sources(List.of(dir));

        assertThat(sources).extracting(EventFiles.Source::name).containsExactly(
                "events", "hf/renamed", "hf/results/checkpoint-500", "keras/training", "lightning_logs/version_0",
                "mlruns/0/abc", "tb/lightning_logs/version_1", "tb/logs");
        assertThat(sources.get(2).path()).isEqualTo(dir.resolve("hf/results/checkpoint-500/trainer_state.json"));
        assertThat(sources.get(7).path()).as("Keras' train/ and validation/ are one run").isEqualTo(dir.resolve("tb/logs"));
    }

    @Test
    void shouldNameARunGivenOnItsOwnAfterItselfOrItsFolder() throws IOException {
        write("exp1/trainer_state.json", "{\n \"log_history\": []\n}\n");
        write("exp1/run-7.csv", "epoch,loss\n0,1.0\n");

        assertThat(EventFiles.sources(List.of(dir.resolve("exp1/trainer_state.json"), dir.resolve("exp1/run-7.csv"), dir.resolve("exp1"))))
                .extracting(EventFiles.Source::name).as("a directory's runs in path order").containsExactly("exp1", "run-7", "run-7", "exp1");
    }
}
