package dev.lossdoctor.deploy;

import static dev.lossdoctor.deploy.DeployFiles.PYTHON;
import static dev.lossdoctor.deploy.DeployFiles.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python unit tests (stdlib unittest, Debian's /usr/bin/python3 with python3-kafka):
 * the trainer client (reporter with Kafka down, non-finite values, the Keras, Lightning and
 * Hugging Face adapters driven through their frameworks' call sequences) and the example
 * diagnosis consumer. Fails when any Python test fails.
 */
class PythonClientTest {

    private static DeployFiles.Run unittest(String dir) {
        assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is not installed");
        DeployFiles.Run run = DeployFiles.run(ROOT.resolve(dir), Duration.ofMinutes(3),
                List.of(PYTHON.toString(), "-m", "unittest", "-v"));
        return run.assertSuccess("python3 -m unittest in " + dir);
    }

    @Test
    void clientTestsPass() {
        String out = unittest("clients/python").output();
        assertThat(out).contains("OK").doesNotContain("FAILED");
        assertThat(out).as("the Kafka-down test ran with the real kafka-python (python3-kafka is installed)")
                .contains("test_kafka_down_reports_return_at_once_and_drop_the_oldest_with_a_warning")
                .doesNotContain("kafka-python is not installed");
    }

    @Test
    void diagnosisConsumerTestsPass() {
        assertThat(unittest("examples/diagnosis-consumer").output()).contains("OK").doesNotContain("FAILED");
    }
}
