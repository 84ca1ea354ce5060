package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo --replay} with nothing to replay: one line, exit 2, before a broker starts. */
class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldRejectAReplayPathWithoutRunsInOneLineBeforeStartingAnything() throws Exception {
        Path missing = dir.resolve("missing");
        Path empty = Files.createDirectories(dir.resolve("empty"));

        for (Path p : new Path[] {missing, empty}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = LossDoctor.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo", "--replay", p.toString(),
                    "--plain", "--duration", "1");

            assertThat(code).isEqualTo(2);
            assertThat(err.toString().lines().toList()).containsExactly("loss-doctor: --replay " + p
                    + (p.equals(missing) ? ": no such file or directory" : ": no runs to replay (no log files)"));
            assertThat(out.toString()).isEmpty();
        }
    }
}
