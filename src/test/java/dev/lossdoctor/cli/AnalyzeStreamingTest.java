package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze} reads a log as a stream: a large file costs memory for its runs (each a bounded
 * window), not for its events. Checked with a JVM of its own whose heap (40 MB) is far smaller than
 * the file's events would take if they were collected first (400,000 events, ~35 MB of text, over
 * 100 MB as objects).
 */
class AnalyzeStreamingTest {

    private static final int RUNS = 200;
    private static final int EPOCHS = 2_000;

    @TempDir
    Path dir;

    @Test
    void shouldAnalyseAFileMuchLargerThanItsHeap() throws IOException, InterruptedException {
        Path log = dir.resolve("big.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (int r = 0; r < RUNS; r++) {
                w.write("{\"type\":\"run_started\",\"run_id\":\"run-" + r + "\",\"config\":{\"max_epochs\":" + EPOCHS + "}}\n");
            }
            for (int e = 1; e <= EPOCHS; e++) {
                for (int r = 0; r < RUNS; r++) {
                    // every fourth run diverges at its last epoch: a diagnosis that only a complete read finds
                    boolean nan = r % 4 == 0 && e == EPOCHS;
                    double val = 0.2 + 1.0 / Math.sqrt(e) + 0.001 * (r % 7);
                    w.write(String.format(Locale.ROOT, "{\"type\":\"metrics\",\"run_id\":\"run-%d\",\"epoch\":%d,"
                            + "\"metrics\":{\"train_loss\":%s,\"val_loss\":%s}}\n", r, e,
                            nan ? "NaN" : String.format(Locale.ROOT, "%.5f", val * 0.9),
                            nan ? "NaN" : String.format(Locale.ROOT, "%.5f", val)));
                }
            }
        }
        Path out = dir.resolve("out.jsonl");
        Path err = dir.resolve("err.txt");
        Process analyze = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx40m", "-XX:+UseSerialGC", "-cp", classpath(), LossDoctor.class.getName(),
                "analyze", "--format", "jsonl", log.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();

        assertThat(analyze.waitFor(5, TimeUnit.MINUTES)).as("analyze finished").isTrue();
        assertThat(analyze.exitValue()).as("stderr: " + Files.readString(err)).isZero();
        List<String> diverging = Files.readAllLines(out).stream().filter(l -> l.contains("\"diagnosis\":\"diverging\"")).toList();
        assertThat(diverging).as("the NaN at the last epoch of every fourth run").hasSize(RUNS / 4)
                .allSatisfy(l -> assertThat(l).contains("\"epoch\":" + EPOCHS));
    }

    private static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp.replace(";", File.pathSeparator);
    }
}
