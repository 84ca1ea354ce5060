package dev.lossdoctor.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real alert, end to end: Loss Doctor on the in-process broker, a real Prometheus
 * (/usr/bin/prometheus) scraping it every second with the project's rules file, a run that
 * diverges (its loss goes NaN), and RunDiverging firing on Prometheus' /api/v1/alerts with the
 * run's labels and a run_url that answers.
 */
class AlertEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void aDivergingRunFiresRunDivergingOnPrometheus(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(DeployFiles.PROMETHEUS),
                "/usr/bin/prometheus is not installed (apt-get install prometheus): CI installs it and runs this test");
        Files.createDirectories(tmp.resolve("state"));
        Files.createDirectories(tmp.resolve("prometheus"));
        try (LiveService live = LiveService.start(kafka.broker(), tmp.resolve("state"));
             LiveService.Prometheus prometheus = new LiveService.Prometheus(tmp.resolve("prometheus"),
                     "127.0.0.1:" + live.service.httpPort(), DeployFiles.RULES)) {
            String run = "it-diverging-1";
            live.send(run, "{\"type\":\"run_started\",\"run_id\":\"" + run + "\",\"config\":{\"optimizer\":\"sgd\",\"lr\":0.5}}");
            for (int epoch = 1; epoch <= 8; epoch++) {
                double loss = 2.0 / epoch;
                live.send(run, "{\"run_id\":\"" + run + "\",\"epoch\":" + epoch + ",\"metrics\":{\"train_loss\":" + loss
                        + ",\"val_loss\":" + (loss * 1.1) + "}}");
            }
            live.send(run, "{\"run_id\":\"" + run + "\",\"epoch\":9,\"metrics\":{\"train_loss\":NaN,\"val_loss\":\"NaN\"}}");
            // a healthy run beside it must not alert
            for (int epoch = 1; epoch <= 9; epoch++) {
                live.send("it-healthy-1", "{\"run_id\":\"it-healthy-1\",\"epoch\":" + epoch
                        + ",\"metrics\":{\"train_loss\":" + (2.0 / epoch) + ",\"val_loss\":" + (2.2 / epoch) + "}}");
            }

            AtomicReference<JsonNode> firing = new AtomicReference<>();
            AtomicReference<String> lastAnswer = new AtomicReference<>("");
            boolean fired = LiveService.await(Duration.ofSeconds(60), () -> {
                String body = LiveService.get(prometheus.url("/api/v1/alerts")).body();
                lastAnswer.set(body);
                try {
                    for (JsonNode alert : JSON.readTree(body).path("data").path("alerts")) {
                        if ("RunDiverging".equals(alert.path("labels").path("alertname").asText())
                                && "firing".equals(alert.path("state").asText())) {
                            firing.set(alert);
                            return true;
                        }
                    }
                } catch (Exception e) {
                    return false;
                }
                return false;
            });
            assertThat(fired).as("RunDiverging firing on Prometheus within 60 s; last /api/v1/alerts: " + lastAnswer.get()
                    + "\n/metrics lines of the run: " + runLines(live.scrape(), run) + "\nPrometheus log:\n" + prometheus.log())
                    .isTrue();

            JsonNode alert = firing.get();
            JsonNode labels = alert.path("labels");
            assertThat(labels.path("run_id").asText()).isEqualTo(run);
            assertThat(labels.path("diagnosis").asText()).isEqualTo("diverging");
            assertThat(labels.path("severity").asText()).isEqualTo("critical");
            assertThat(labels.path("job").asText()).isEqualTo("loss-doctor");
            JsonNode annotations = alert.path("annotations");
            assertThat(annotations.path("summary").asText()).isEqualTo("Training run " + run + " is diverging");
            assertThat(annotations.path("description").asText()).startsWith("Loss Doctor diagnoses run " + run + " as diverging at epoch ");
            String runUrl = annotations.path("run_url").asText();
            assertThat(runUrl).isEqualTo(live.baseUrl() + "/runs/" + run);
            var status = LiveService.get(runUrl);
            assertThat(status.statusCode()).as("the alert's run_url answers").isEqualTo(200);
            assertThat(status.body()).contains("diverging");

            String all = LiveService.get(prometheus.url("/api/v1/alerts")).body();
            assertThat(all).doesNotContain("it-healthy-1");
        }
    }

    private static String runLines(String exposition, String run) {
        StringBuilder out = new StringBuilder();
        for (String line : exposition.split("\n")) {
            if (line.contains(run)) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }
}
