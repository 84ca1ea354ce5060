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
 * Runs the benchmark's own Python tests (standard library only): the labelled corpus still
 * matches its labels and each run's curve shows its label, and the anchors' rules in
 * bench/benchmark.py behave as their documentation says on hand-made curves.
 */
class BenchCorpusTest {

    @Test
    void corpusAndBenchmarkTestsPass() {
        assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is not installed");
        DeployFiles.Run run = DeployFiles.run(ROOT, Duration.ofMinutes(3),
                List.of(PYTHON.toString(), "-m", "unittest", "discover", "-s", "bench", "-p", "test_*.py", "-v"));
        String out = run.assertSuccess("python3 -m unittest discover -s bench").output();
        assertThat(out).contains("OK").doesNotContain("FAILED");
    }
}
