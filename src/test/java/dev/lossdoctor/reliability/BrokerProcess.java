package dev.lossdoctor.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker in its own JVM ({@code kafka.Kafka server.properties}, after
 * {@code kafka.tools.StorageTool format}), on fixed ports and a fixed data directory so that it can
 * be killed with SIGKILL and started again as the same broker with the same data.
 */
final class BrokerProcess implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final JavaProcess process;

    private BrokerProcess(Path dir, int port, JavaProcess process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static BrokerProcess format(Path dir) throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        Path data = dir.resolve("data");
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", data.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        Path config = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            p.store(out, "broker for fault tests");
        }
        Path log = dir.resolve("broker.log");
        JavaProcess format = new JavaProcess("kafka-storage-format", List.of(), "kafka.tools.StorageTool",
                List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()), Map.of(), log);
        format.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (format.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (format.isAlive() || !Files.exists(data.resolve("meta.properties"))) {
            format.kill9();
            throw new IllegalStateException("formatting the broker's storage failed:\n" + format.log());
        }
        JavaProcess broker = new JavaProcess("kafka-broker", List.of("-Xmx768m"), "kafka.Kafka", List.of(config.toString()),
                Map.of(), log);
        return new BrokerProcess(dir, port, broker);
    }

    /** Starts it and waits until it answers. */
    BrokerProcess start() throws InterruptedException {
        process.start();
        awaitReady(Duration.ofSeconds(90));
        return this;
    }

    void kill9() throws InterruptedException {
        process.kill9();
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    Path dir() {
        return dir;
    }

    String log() {
        return process.log();
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(p)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker died at start:\n" + tail(process.log()));
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    // not yet
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the broker did not answer within " + timeout.toSeconds() + " s:\n" + tail(process.log()));
    }

    static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.stop(Duration.ofSeconds(15));
    }
}
