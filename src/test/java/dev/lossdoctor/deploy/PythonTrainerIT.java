package dev.lossdoctor.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real PyTorch training run (Debian's python3-torch and python3-sklearn) that overfits, a wide
 * MLP on 60 images of scikit-learn's digits for 150 epochs with Adam and no regularization
 * (clients/python/examples/torch_overfit.py), publishes through the Python Reporter (kafka-python)
 * to the in-process broker; Loss Doctor diagnoses the run {@code overfitting}.
 */
class PythonTrainerIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void aRealPyTorchRunThatOverfitsIsDiagnosedOverfitting(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(DeployFiles.PYTHON), "/usr/bin/python3 is not installed");
        var probe = DeployFiles.run(DeployFiles.ROOT, Duration.ofSeconds(120),
                List.of(DeployFiles.PYTHON.toString(), "-c", "import torch, sklearn, kafka"));
        assumeTrue(probe.exitCode() == 0,
                "python3-torch, python3-sklearn or python3-kafka missing (CI installs them): " + probe.output());
        Files.createDirectories(tmp.resolve("state"));
        try (LiveService live = LiveService.start(kafka.broker(), tmp.resolve("state"))) {
            String run = "it-torch-mlp-digits";
            long start = System.nanoTime();
            var training = DeployFiles.run(DeployFiles.ROOT.resolve("clients/python"), Duration.ofSeconds(120),
                    List.of(DeployFiles.PYTHON.toString(), "examples/torch_overfit.py",
                            "--bootstrap-servers", live.broker.bootstrapServers(), "--run-id", run, "--print-every", "25"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            training.assertSuccess("the PyTorch training run");
            assertThat(took).as("the training run takes under a minute on 2 cores").isLessThan(Duration.ofSeconds(60));
            assertThat(training.output()).contains("'sent': 152").contains("'dropped': 0");
            // what the Python Reporter sent, each validated against the input schema as it is read back
            assertThat(live.records("training-metrics", run, Duration.ofSeconds(60), sent -> sent.size() >= 152)).hasSize(152);

            List<String> events = live.diagnosesOf(run, Duration.ofSeconds(60),
                    es -> es.stream().anyMatch(e -> e.contains("\"diagnosis\":\"overfitting\"")));
            List<String> sequence = new ArrayList<>();
            JsonNode overfitting = null;
            for (String e : events) {
                JsonNode event = JSON.readTree(e);
                sequence.add(event.path("diagnosis").asText() + "@" + event.path("epoch").asText());
                if ("overfitting".equals(event.path("diagnosis").asText()) && overfitting == null) {
                    overfitting = event;
                }
            }
            assertThat(overfitting).as("an overfitting diagnosis for the run; diagnoses seen: " + sequence
                    + "\ntraining output:\n" + training.output()).isNotNull();
            assertThat(overfitting.path("run_id").asText()).isEqualTo(run);
            assertThat(overfitting.path("severity").asText()).isEqualTo("warning");
            assertThat(overfitting.path("recommendations").toString()).containsIgnoringCase("checkpoint");
            System.out.println("PythonTrainerIT: training took " + took.toMillis() + " ms; diagnoses " + sequence);
        }
    }
}
