package dev.lossdoctor.deploy;

import static dev.lossdoctor.deploy.DeployFiles.ROOT;
import static dev.lossdoctor.deploy.DeployFiles.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile (no Docker engine here: its structure) and its healthcheck script (for real,
 * against an HTTP server answering 200, then 503, then nothing).
 */
class DockerfileTest {

    private final List<String> lines = readLines();

    private static List<String> readLines() {
        try {
            return Files.readAllLines(ROOT.resolve("Dockerfile"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> instructions(String keyword) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith(keyword + " ")) {
                out.add(line.substring(keyword.length() + 1).trim());
            }
        }
        return out;
    }

    @Test
    void multiStageMavenBuildIntoAJre() {
        assertThat(instructions("FROM")).containsExactly("maven:3.9-eclipse-temurin-17 AS build", "eclipse-temurin:17-jre");
        assertThat(String.join("\n", lines)).contains("mvn -B -q package").contains("cp target/loss-doctor.jar");
        assertThat(instructions("COPY")).contains("--from=build /loss-doctor.jar /opt/loss-doctor/loss-doctor.jar");
        assertThat(instructions("ENTRYPOINT")).containsExactly("[\"java\", \"-jar\", \"/opt/loss-doctor/loss-doctor.jar\"]");
        assertThat(instructions("CMD")).containsExactly("[\"run\"]");
    }

    @Test
    void runsAsANonRootUserWithTheStateDirOnAVolume() {
        List<String> users = instructions("USER");
        assertThat(users).hasSize(1);
        assertThat(users.get(0)).doesNotStartWith("root").doesNotStartWith("0");
        assertThat(instructions("VOLUME")).containsExactly("[\"/var/lib/loss-doctor\"]");
        assertThat(String.join("\n", lines)).contains("LOSSDOCTOR_STATE_DIR=/var/lib/loss-doctor")
                .contains("chown lossdoctor:lossdoctor /var/lib/loss-doctor");
        assertThat(instructions("EXPOSE")).containsExactly("8080");
    }

    @Test
    void healthcheckRunsTheScriptOnReady() {
        assertThat(instructions("HEALTHCHECK")).singleElement().asString().contains("CMD [\"/opt/loss-doctor/healthcheck.sh\"]");
        assertThat(instructions("COPY")).contains("deploy/docker/healthcheck.sh /opt/loss-doctor/healthcheck.sh");
        assertThat(ROOT.resolve("deploy/docker/healthcheck.sh")).isExecutable();
    }

    @Test
    void everyCopiedSourceIsInTheBuildContextAndNotDockerIgnored() throws IOException {
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (String copy : instructions("COPY")) {
            if (copy.startsWith("--from")) {
                continue;
            }
            String source = copy.split("\\s+")[0];
            assertThat(ROOT.resolve(source)).as(copy).exists();
            for (String pattern : ignored) {
                assertThat(source.equals(pattern) || source.startsWith(pattern + "/")).as(source + " ignored by " + pattern).isFalse();
            }
        }
        assertThat(ignored).contains("target", ".git");
    }

    @Test
    void healthcheckScriptSaysHealthyOnlyWhenReadyAnswers200() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash");
        AtomicInteger status = new AtomicInteger(200);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health/ready", ex -> {
            byte[] body = (status.get() == 200 ? "RUNNING" : "REBALANCING").getBytes();
            ex.sendResponseHeaders(status.get(), body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        try {
            assertThat(healthcheck(port)).as("200: healthy").isZero();
            status.set(503);
            assertThat(healthcheck(port)).as("503: unhealthy").isEqualTo(1);
        } finally {
            server.stop(0);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(healthcheck(closed)).as("nothing listening: unhealthy").isEqualTo(1);
    }

    private static int healthcheck(int port) {
        return run(ROOT, Duration.ofSeconds(20), List.of("/usr/bin/env", "LOSSDOCTOR_HTTP_PORT=" + port,
                "/bin/bash", "deploy/docker/healthcheck.sh")).exitCode();
    }
}
