package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.io.Json;
import dev.lossdoctor.streams.LossDoctorTopology;
import dev.lossdoctor.streams.OfflineAnalysis;
import dev.lossdoctor.streams.Topics;
import dev.lossdoctor.streams.TopologyConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code training-diagnoses} and {@code analyze --format jsonl} are one wire format: the same bytes. */
class DiagnosisWireFormatTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path stateDir;

    @Test
    void shouldPrintExactlyTheBytesTheStreamPublishesForTheSameRun() {
        Path run = OfflineAnalysis.OVERFITTING_RUN;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LossDoctor.execute(new PrintWriter(out), new PrintWriter(err), "analyze", "--format", "jsonl", run.toString());
        assertThat(code).as("exit code; stderr: " + err).isZero();
        List<String> printed = out.toString().lines().toList();

        List<String> published = streamed(run);

        assertThat(printed).as("analyze's lines").hasSizeGreaterThan(2);
        assertThat(published).containsExactlyElementsOf(printed);
        assertThat(Json.read(printed.get(printed.size() - 1)).get("diagnosis").asText()).isEqualTo("overfitting");
    }

    /** The values written to the diagnoses topic, byte for byte (decoded as UTF-8 only to compare as text). */
    private List<String> streamed(Path run) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "wire-format-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        TopologyConfig config = TopologyConfig.defaults();
        Topics topics = config.topics();
        try (TopologyTestDriver driver = new TopologyTestDriver(LossDoctorTopology.build(config), props, T0)) {
            TestInputTopic<String, String> input = driver.createInputTopic(topics.metrics().name(),
                    new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, byte[]> diagnoses = driver.createOutputTopic(topics.diagnoses().name(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            List<String> lines = OfflineAnalysis.lines(run);
            String runId = Json.read(lines.get(0)).get("run_id").asText();
            for (int i = 0; i < lines.size(); i++) {
                input.pipeInput(runId, lines.get(i), T0.plusSeconds(i));
            }
            return diagnoses.readValuesToList().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        }
    }
}
