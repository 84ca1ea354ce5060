package dev.lossdoctor.deploy;

import static dev.lossdoctor.deploy.DeployFiles.ROOT;
import static dev.lossdoctor.deploy.DeployFiles.at;
import static dev.lossdoctor.deploy.DeployFiles.list;
import static dev.lossdoctor.deploy.DeployFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.service.AppConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, checked without a Docker engine (none runs here): the services and how they
 * reach each other, ports, volumes, healthchecks, and that every file or directory it mounts or
 * builds from exists.
 */
class ComposeFileTest {

    private static Map<String, Object> compose;
    private static Map<String, Object> services;

    @BeforeAll
    static void load() {
        compose = map(DeployFiles.yaml(ROOT.resolve("docker-compose.yml")));
        services = map(compose.get("services"));
    }

    private static Map<String, Object> service(String name) {
        assertThat(services).containsKey(name);
        return map(services.get(name));
    }

    private static Map<String, Object> env(String service) {
        return map(service(service).get("environment"));
    }

    @Test
    void hasTheServices() {
        assertThat(services.keySet()).contains("kafka", "kafka-init", "loss-doctor", "prometheus", "alertmanager",
                "grafana", "diagnosis-consumer", "demo-trainer");
        assertThat(list(service("demo-trainer").get("profiles"))).containsExactly("demo");
        services.forEach((name, s) -> {
            if (!name.equals("demo-trainer")) {
                assertThat(map(s).get("profiles")).as(name + " starts without a profile").isNull();
            }
        });
    }

    @Test
    void kafkaIsASingleKraftNodeOfTheOfficialImage() {
        Map<String, Object> kafka = service("kafka");
        assertThat((String) kafka.get("image")).startsWith("apache/kafka:");
        Map<String, Object> env = env("kafka");
        assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(String.valueOf(env.get("KAFKA_NODE_ID"))).isEqualTo("1");
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo("1@kafka:9093");
        assertThat((String) env.get("KAFKA_LISTENERS")).contains("CONTROLLER://:9093").contains("PLAINTEXT://:9092");
        assertThat((String) env.get("KAFKA_ADVERTISED_LISTENERS")).contains("PLAINTEXT://kafka:9092")
                .contains("EXTERNAL://localhost:9094");
        for (String rf : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertThat(String.valueOf(env.get(rf))).as(rf + " (one broker; exactly-once needs it)").isEqualTo("1");
        }
        assertThat(list(kafka.get("ports"))).contains("9094:9094");
        assertThat((String) at(kafka, "healthcheck", "test", 1)).contains("kafka-broker-api-versions.sh");
        assertThat(volumeTargets("kafka")).contains(String.valueOf(env.get("KAFKA_LOG_DIRS")));
        assertThat(service("kafka-init").get("image")).isEqualTo(kafka.get("image"));
        String init = String.join("\n", list(service("kafka-init").get("command")).stream().map(String::valueOf).toList());
        for (String topic : List.of("training-metrics ", "training-diagnoses ", "training-run-status ", "training-metrics-dlq ")) {
            assertThat(init).contains("--topic " + topic);
        }
        assertThat(init).contains("cleanup.policy=compact");
    }

    @Test
    void lossDoctorIsBuiltFromTheDockerfileAndReachesKafka() {
        Map<String, Object> ld = service("loss-doctor");
        assertThat(at(ld, "build", "context")).isEqualTo(".");
        assertThat(at(ld, "build", "dockerfile")).isEqualTo("Dockerfile");
        assertThat(ROOT.resolve("Dockerfile")).exists();
        Map<String, Object> env = env("loss-doctor");
        assertThat(env.get("LOSSDOCTOR_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
        assertThat(String.valueOf(env.get("LOSSDOCTOR_HTTP_PORT"))).isEqualTo("8080");
        assertThat(list(ld.get("ports"))).contains("8080:8080");
        assertThat(env.get("LOSSDOCTOR_HTTP_ADVERTISED_HOST")).as("application.server's host").isEqualTo("loss-doctor");
        assertThat(env.keySet()).as("the service refuses application.server as a Kafka passthrough")
                .doesNotContain("LOSSDOCTOR_KAFKA_APPLICATION_SERVER");
        assertThat(env.get("LOSSDOCTOR_INSTANCE_ID")).as("a fixed instance id (static group membership) for the one container")
                .isEqualTo("loss-doctor");
        assertThat(at(ld, "deploy", "replicas")).as("one container: two with the same instance id would fence each other").isNull();
        assertThat(volumeTargets("loss-doctor")).as("the state dir is on a volume").contains((String) env.get("LOSSDOCTOR_STATE_DIR"));
        List<Object> test = list(at(ld, "healthcheck", "test"));
        assertThat(test).contains("/opt/loss-doctor/healthcheck.sh", "/health/ready");
        assertThat(at(ld, "depends_on", "kafka-init", "condition")).isEqualTo("service_completed_successfully");
        assertThat(at(service("demo-trainer"), "depends_on", "loss-doctor", "condition")).isEqualTo("service_healthy");
    }

    /** The service itself reads the compose environment as meant (AppConfig refuses or ignores what it doesn't know). */
    @Test
    void theServiceAcceptsItsComposeEnvironment() {
        Map<String, String> env = new java.util.HashMap<>();
        env("loss-doctor").forEach((k, v) -> env.put(k, String.valueOf(v)));
        AppConfig config = AppConfig.load(null, env, new java.util.Properties(), Map.of());
        assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.stateDir()).contains(Path.of("/var/lib/loss-doctor"));
        assertThat(config.applicationId()).isEqualTo("loss-doctor");
        assertThat(config.advertisedHost()).contains("loss-doctor");
        assertThat(config.httpHost()).as("listens on every interface of the container").isEqualTo("0.0.0.0");
        assertThat(config.streamsProperties(null).getProperty("consumer.group.instance.id"))
                .as("static membership: a restarted container rejoins at once").isEqualTo("loss-doctor");
    }

    @Test
    void prometheusAlertmanagerAndGrafanaMountTheProjectsConfiguration() {
        assertThat(list(service("prometheus").get("volumes"))).contains("./deploy/prometheus:/etc/prometheus:ro");
        assertThat(list(service("prometheus").get("command"))).contains("--config.file=/etc/prometheus/prometheus.yml");
        assertThat(list(service("alertmanager").get("command"))).contains("--config.file=/etc/alertmanager/alertmanager.yml");
        assertThat(list(service("grafana").get("volumes"))).contains(
                "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./deploy/grafana/dashboards:/etc/grafana/dashboards:ro");
        // Grafana's dashboard provider reads where the dashboards are mounted
        Object provider = DeployFiles.yaml(ROOT.resolve("deploy/grafana/provisioning/dashboards/loss-doctor.yml"));
        assertThat(at(provider, "providers", 0, "options", "path")).isEqualTo("/etc/grafana/dashboards");
        Object datasource = DeployFiles.yaml(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml"));
        assertThat(at(datasource, "datasources", 0, "url")).isEqualTo("http://prometheus:9090");
        assertThat(list(service("prometheus").get("ports"))).contains("9090:9090");
        assertThat(list(service("alertmanager").get("ports"))).contains("9093:9093");
        assertThat(list(service("grafana").get("ports"))).contains("3000:3000");
    }

    /** Addresses one service's configuration gives for another match that service's name and port. */
    @Test
    void servicesPointAtEachOther() {
        Object prometheus = DeployFiles.yaml(ROOT.resolve("deploy/prometheus/prometheus.yml"));
        assertThat(list(at(prometheus, "scrape_configs", 0, "static_configs", 0, "targets")))
                .containsExactly("loss-doctor:" + env("loss-doctor").get("LOSSDOCTOR_HTTP_PORT"));
        assertThat(list(at(prometheus, "alerting", "alertmanagers", 0, "static_configs", 0, "targets")))
                .containsExactly("alertmanager:9093");
        String webhook = (String) at(DeployFiles.yaml(ROOT.resolve("deploy/alertmanager/alertmanager.yml")),
                "receivers", 0, "webhook_configs", 0, "url");
        String listen = (String) env("diagnosis-consumer").get("LISTEN");
        assertThat(webhook).startsWith("http://diagnosis-consumer:" + listen.substring(listen.lastIndexOf(':') + 1) + "/");
        assertThat(env("diagnosis-consumer").get("BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
        assertThat(env("demo-trainer").get("LOSSDOCTOR_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
    }

    @Test
    void everyMountedOrBuiltPathExistsAndEveryNamedVolumeIsDeclared() {
        Set<String> declared = compose.get("volumes") == null ? Set.of() : map(compose.get("volumes")).keySet();
        Set<String> used = new HashSet<>();
        services.forEach((name, s) -> {
            Object build = map(s).get("build");
            if (build != null) {
                String context = build instanceof String str ? str : (String) map(build).get("context");
                Path dir = ROOT.resolve(context).normalize();
                assertThat(dir).as(name + " build context").isDirectory();
                String dockerfile = build instanceof Map<?, ?> m && m.get("dockerfile") != null ? (String) m.get("dockerfile") : "Dockerfile";
                assertThat(dir.resolve(dockerfile)).as(name + " Dockerfile").isRegularFile();
            }
            Object volumes = map(s).get("volumes");
            if (volumes == null) {
                return;
            }
            for (Object v : list(volumes)) {
                String source = ((String) v).split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    assertThat(ROOT.resolve(source).normalize()).as(name + " mounts " + source).exists();
                } else {
                    assertThat(declared).as(name + " uses named volume " + source).contains(source);
                    used.add(source);
                }
            }
            Object depends = map(s).get("depends_on");
            if (depends != null) {
                Iterable<?> names = depends instanceof Map<?, ?> m ? m.keySet() : list(depends);
                names.forEach(d -> assertThat(services).as(name + " depends on " + d).containsKey((String) d));
            }
        });
        assertThat(used).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void hostPortsDoNotCollide() {
        List<String> hostPorts = new ArrayList<>();
        services.forEach((name, s) -> {
            Object ports = map(s).get("ports");
            if (ports != null) {
                list(ports).forEach(p -> hostPorts.add(((String) p).split(":")[0]));
            }
        });
        assertThat(hostPorts).doesNotHaveDuplicates().contains("8080", "9090", "9093", "3000", "9094");
    }

    private static List<String> volumeTargets(String service) {
        return list(service(service).get("volumes")).stream().map(v -> ((String) v).split(":")[1]).toList();
    }

    @Test
    void buildContextsOfTheExamplesHoldWhatTheirDockerfilesCopy() throws Exception {
        for (String dir : List.of("clients/python", "examples/diagnosis-consumer")) {
            for (String line : Files.readAllLines(ROOT.resolve(dir).resolve("Dockerfile"))) {
                if (line.startsWith("COPY ")) {
                    String[] parts = line.substring(5).trim().split("\\s+");
                    for (int i = 0; i < parts.length - 1; i++) {
                        assertThat(ROOT.resolve(dir).resolve(parts[i])).as(dir + ": " + line).exists();
                    }
                }
            }
        }
    }
}
