package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.service.ConfigKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loss-doctor run}'s failures a user can make: one line on stderr, a non-zero exit, no stack trace. */
class RunCommandTest {

    @TempDir
    Path dir;

    private record Result(int exitCode, String stderr) {
    }

    private static Result run(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = LossDoctor.execute(args);
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    /** The lines the command printed itself (the logger's lines, timestamped, left out). */
    private static List<String> ownLines(String stderr) {
        return stderr.lines().filter(l -> !l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")).toList();
    }

    @Test
    void shouldRejectAnUnknownFlagInOneLine() {
        Result r = run("run", "--stall-aftr", "5m");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("loss-doctor: Unknown options: '--stall-aftr'").doesNotContain("\tat ");
    }

    @Test
    void shouldRejectABadDurationNamingTheFlag() {
        Result r = run("run", "--stall-after", "soon");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(ownLines(r.stderr())).containsExactly("loss-doctor: stall.after (command line): 'soon' is not a duration "
                + "(write it like 30m, 90s, 2h, 500ms, 1d or PT30M)");
    }

    @Test
    void shouldTakeTheInstanceIdFromItsFlag() {
        Result r = run("run", "--instance-id", "pod/0");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(ownLines(r.stderr())).containsExactly("loss-doctor: instance.id (command line): 'pod/0' is not a Kafka "
                + "group.instance.id: use 1 to 240 letters, digits, '.', '_' or '-'");
    }

    @Test
    void shouldSayWhenTheConfigFileCantBeRead() {
        Path missing = dir.resolve("missing.properties");

        Result r = run("run", "--config", missing.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(ownLines(r.stderr())).containsExactly("loss-doctor: can't read the config file " + missing + ": no such file");
    }

    @Test
    void shouldGiveUpOnAnUnreachableKafkaAfterTheStartupTimeout() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("c.properties"), "startup.timeout=2s\n");
        long start = System.nanoTime();

        Result r = run("run", "--config", config.toString(), "--bootstrap-servers", "127.0.0.1:" + closedPort,
                "--http-port", "0", "--http-host", "127.0.0.1", "--state-dir", dir.resolve("state").toString());

        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(ownLines(r.stderr())).containsExactly("loss-doctor: Kafka at 127.0.0.1:" + closedPort
                + " did not answer within 2s (is it running, and are bootstrap.servers and the security settings right?)");
        assertThat(seconds).as("bounded by the startup timeout").isLessThan(15);
    }

    @Test
    void shouldDescribeTheRunCommandInItsHelp() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = LossDoctor.execute("run", "--help");
        } finally {
            System.setOut(original);
        }
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--bootstrap-servers", "--stall-after", "--max-run-gauges",
                "LOSSDOCTOR_BOOTSTRAP_SERVERS", "kafka.<property>");
        // a flag for every setting that has one, with the table's meaning
        for (ConfigKeys.Key key : ConfigKeys.ALL) {
            key.commandLineFlag().ifPresent(flag -> assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains(flag + "=" + key.paramLabel()).contains(key.envVar()));
        }
    }

    @Test
    void shouldGiveTheDemoTheSharedHttpFlagsFromTheTableWithItsOwnDefaults() {
        java.io.StringWriter out = new java.io.StringWriter();
        int code = LossDoctor.execute(new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()),
                "demo", "--help");

        assertThat(code).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).contains("--http-port=PORT " + ConfigKeys.find("http.port").orElseThrow().plainMeaning() + " (default: 8080)")
                .contains("--http-host=HOST " + ConfigKeys.find("http.host").orElseThrow().plainMeaning() + " (default: 127.0.0.1)");
    }
}
