package dev.lossdoctor.reliability;

import dev.lossdoctor.schemas.SchemaChecks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** {@code loss-doctor run} in its own JVM, on a fixed HTTP port, killable with SIGKILL and restartable. */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int httpPort;
    private final JavaProcess process;

    /**
     * @param settings service settings as {@code -Dlossdoctor.<key>=<value>} (so also {@code kafka.*} passthrough)
     */
    ServiceProcess(String name, String bootstrapServers, String applicationId, Path stateDir, int partitions,
                   Map<String, String> settings, Path log) {
        this(name, bootstrapServers, applicationId, stateDir, partitions, settings, log, JavaProcess.classpath(), List.of());
    }

    /**
     * @param classpath  what the JVM runs: this build's classes ({@link JavaProcess#classpath()}) or a
     *                   released jar with the same dependencies ({@link Release#classpath()})
     * @param jvmOptions more JVM options, e.g. {@code -Dlogback.configurationFile=...}
     */
    ServiceProcess(String name, String bootstrapServers, String applicationId, Path stateDir, int partitions,
                   Map<String, String> settings, Path log, String classpath, List<String> jvmOptions) {
        this.name = name;
        this.httpPort = BrokerProcess.freePort();
        List<String> jvm = new ArrayList<>();
        jvm.addAll(jvmOptions);
        settings.forEach((k, v) -> jvm.add("-Dlossdoctor." + k + "=" + v));
        List<String> args = List.of("run", "--bootstrap-servers", bootstrapServers, "--application-id", applicationId,
                "--state-dir", stateDir.toString(), "--http-host", "127.0.0.1", "--http-port", Integer.toString(httpPort),
                "--partitions", Integer.toString(partitions), "--replication-factor", "1");
        this.process = new JavaProcess(name, jvm, "dev.lossdoctor.cli.LossDoctor", args, Map.of(), log, classpath);
    }

    ServiceProcess start() {
        process.start();
        return this;
    }

    /** Waits until {@code /health/ready} says the streams are RUNNING. */
    ServiceProcess awaitReady(Duration timeout) {
        try {
            Awaitility.await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " died:\n" + BrokerProcess.tail(process.log()));
                }
                return get("/health/ready").status() == 200;
            });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(name + " not ready within " + timeout.toSeconds() + " s:\n"
                    + BrokerProcess.tail(process.log()), e);
        }
        return this;
    }

    record Http(int status, String body) {
    }

    /** GET on the service; a {@code /runs} answer is validated against the status schema ({@link SchemaChecks#httpAnswer}). */
    Http get(String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            SchemaChecks.httpAnswer(path, r.statusCode(), r.body());
            return new Http(r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Http(-1, "");
        } catch (Exception e) {
            return new Http(-1, e.toString());
        }
    }

    void kill9() throws InterruptedException {
        process.kill9();
    }

    /** SIGTERM, as Kubernetes and {@code docker stop} send it: the service closes cleanly (or is killed after the grace). */
    void stop(Duration grace) throws InterruptedException {
        process.stop(grace);
    }

    /** The exit code once it stopped. */
    int exitValue() {
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    String log() {
        return process.log();
    }

    int httpPort() {
        return httpPort;
    }

    @Override
    public void close() throws InterruptedException {
        process.stop(Duration.ofSeconds(20));
    }
}
