package dev.lossdoctor.deploy;

import static dev.lossdoctor.deploy.DeployFiles.PYTHON;
import static dev.lossdoctor.deploy.DeployFiles.ROOT;
import static dev.lossdoctor.deploy.DeployFiles.RULES;
import static dev.lossdoctor.deploy.DeployFiles.at;
import static dev.lossdoctor.deploy.DeployFiles.list;
import static dev.lossdoctor.deploy.DeployFiles.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lossdoctor.service.AppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s: the PrometheusRule carries exactly the rules file's groups (one source of truth),
 * and the manifests fit together (names, labels, ports, probes, the state volume, application.server).
 */
class K8sManifestsTest {

    private static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final List<Map<String, Object>> RESOURCES = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        for (Object file : list(at(DeployFiles.yaml(K8S.resolve("kustomization.yaml")), "resources"))) {
            for (Object doc : DeployFiles.yamlDocuments(K8S.resolve((String) file))) {
                RESOURCES.add(map(doc));
            }
        }
    }

    private static Map<String, Object> resource(String kind, String name) {
        return RESOURCES.stream().filter(r -> kind.equals(r.get("kind")) && name.equals(at(r, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @Test
    void prometheusRuleGroupsEqualTheRulesFile() {
        Object fromRulesFile = at(DeployFiles.yaml(RULES), "groups");
        Object inPrometheusRule = at(resource("PrometheusRule", "loss-doctor"), "spec", "groups");
        assertThat(inPrometheusRule)
                .as("deploy/k8s/prometheusrule.yaml is out of date: run /usr/bin/python3 deploy/k8s/generate-prometheusrule.py")
                .isEqualTo(fromRulesFile);
        assertThat(resource("PrometheusRule", "loss-doctor").get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
    }

    @Test
    void generatorAgrees() {
        assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 missing");
        DeployFiles.run(ROOT, Duration.ofSeconds(60), List.of(PYTHON.toString(), "deploy/k8s/generate-prometheusrule.py", "--check"))
                .assertSuccess("generate-prometheusrule.py --check");
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        List<Object> listed = list(at(DeployFiles.yaml(K8S.resolve("kustomization.yaml")), "resources"));
        try (Stream<Path> files = Files.list(K8S)) {
            List<String> yamls = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList();
            assertThat(listed).containsExactlyInAnyOrderElementsOf(yamls);
        }
    }

    @Test
    void statefulSetKeepsItsStateOnAVolumeClaimAndProbesHealth() {
        Map<String, Object> sts = resource("StatefulSet", "loss-doctor");
        Map<String, Object> pod = map(at(sts, "spec", "template"));
        Map<String, Object> container = map(at(pod, "spec", "containers", 0));
        Map<String, Object> config = map(resource("ConfigMap", "loss-doctor-config").get("data"));

        String claim = (String) at(sts, "spec", "volumeClaimTemplates", 0, "metadata", "name");
        String stateDir = (String) config.get("LOSSDOCTOR_STATE_DIR");
        assertThat(list(container.get("volumeMounts"))).anySatisfy(m -> {
            assertThat(map(m).get("name")).isEqualTo(claim);
            assertThat(map(m).get("mountPath")).isEqualTo(stateDir);
        });
        assertThat(at(container, "envFrom", 0, "configMapRef", "name")).isEqualTo("loss-doctor-config");

        String port = String.valueOf(config.get("LOSSDOCTOR_HTTP_PORT"));
        assertThat(at(container, "ports", 0, "name")).isEqualTo("http");
        assertThat(String.valueOf(at(container, "ports", 0, "containerPort"))).isEqualTo(port);
        assertThat(at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/health/live");
        assertThat(at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/health/ready");
        assertThat(at(container, "startupProbe", "httpGet", "path")).isEqualTo("/health/live");
        assertThat(at(container, "readinessProbe", "httpGet", "port")).isEqualTo("http");

        assertThat(at(pod, "spec", "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat(at(sts, "spec", "selector", "matchLabels")).isEqualTo(at(pod, "metadata", "labels"));
    }

    @Test
    void applicationServerIsThePodsStableAddressBehindTheHeadlessService() {
        Map<String, Object> sts = resource("StatefulSet", "loss-doctor");
        String headless = (String) at(sts, "spec", "serviceName");
        assertThat(at(resource("Service", headless), "spec", "clusterIP")).isEqualTo("None");
        List<Object> env = list(at(sts, "spec", "template", "spec", "containers", 0, "env"));
        List<String> names = env.stream().map(e -> (String) map(e).get("name")).toList();
        int podName = names.indexOf("POD_NAME");
        int server = names.indexOf("LOSSDOCTOR_HTTP_ADVERTISED_HOST");
        assertThat(podName).as("POD_NAME from the downward API").isNotNegative();
        assertThat(at(env.get(podName), "valueFrom", "fieldRef", "fieldPath")).isEqualTo("metadata.name");
        assertThat(server).as("defined after POD_NAME, so $(POD_NAME) expands").isGreaterThan(podName);
        assertThat((String) map(env.get(server)).get("value"))
                .isEqualTo("$(POD_NAME)." + headless + ".$(POD_NAMESPACE).svc.cluster.local");
        assertThat(names).as("application.server is the service's own setting, not a Kafka passthrough")
                .doesNotContain("LOSSDOCTOR_KAFKA_APPLICATION_SERVER");
    }

    /**
     * Static group membership: each pod's instance id is its own name (unique in the StatefulSet,
     * the same after a restart), so a restarted pod takes its place in the group back at once.
     */
    @Test
    void eachPodsInstanceIdIsItsStableName() {
        Map<String, Object> sts = resource("StatefulSet", "loss-doctor");
        List<Object> env = list(at(sts, "spec", "template", "spec", "containers", 0, "env"));
        Map<String, Object> instanceId = env.stream().map(DeployFiles::map)
                .filter(e -> "LOSSDOCTOR_INSTANCE_ID".equals(e.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no LOSSDOCTOR_INSTANCE_ID in the StatefulSet's env"));
        assertThat(at(instanceId, "valueFrom", "fieldRef", "fieldPath")).as("the downward API's pod name").isEqualTo("metadata.name");
        assertThat(instanceId).doesNotContainKey("value");
        assertThat(map(resource("ConfigMap", "loss-doctor-config").get("data")))
                .as("one id for every pod would make them fence each other").doesNotContainKey("LOSSDOCTOR_INSTANCE_ID");
    }

    /** The service reads the pod's environment (ConfigMap, then env with $(VAR) expanded) as meant. */
    @Test
    void theServiceAcceptsThePodsEnvironment() {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        map(resource("ConfigMap", "loss-doctor-config").get("data")).forEach((k, v) -> env.put(k, String.valueOf(v)));
        env.put("POD_NAME", "loss-doctor-1");
        env.put("POD_NAMESPACE", "ml");
        for (Object e : list(at(resource("StatefulSet", "loss-doctor"), "spec", "template", "spec", "containers", 0, "env"))) {
            Object value = map(e).get("value");
            if ("metadata.name".equals(at(e, "valueFrom", "fieldRef", "fieldPath"))) {
                env.put((String) map(e).get("name"), env.get("POD_NAME"));
            } else if (value != null) {
                String expanded = (String) value;
                for (var known : Map.copyOf(env).entrySet()) {
                    expanded = expanded.replace("$(" + known.getKey() + ")", known.getValue());
                }
                env.put((String) map(e).get("name"), expanded);
            }
        }
        AppConfig config = AppConfig.load(null, env, new java.util.Properties(), Map.of());
        assertThat(config.advertisedHost()).contains("loss-doctor-1.loss-doctor-headless.ml.svc.cluster.local");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.stateDir()).contains(Path.of("/var/lib/loss-doctor"));
        assertThat(config.bootstrapServers()).isEqualTo("kafka-bootstrap.kafka.svc.cluster.local:9092");
        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.streamsProperties(null).getProperty("consumer.group.instance.id"))
                .as("static membership: the pod's name is its group instance id").isEqualTo("loss-doctor-1");
    }

    @Test
    void servicesSelectThePodsAndTheServiceMonitorScrapesTheNormalService() {
        Map<String, Object> podLabels = map(at(resource("StatefulSet", "loss-doctor"), "spec", "template", "metadata", "labels"));
        for (String name : List.of("loss-doctor", "loss-doctor-headless")) {
            Map<String, Object> svc = resource("Service", name);
            assertThat(podLabels).containsAllEntriesOf(map(at(svc, "spec", "selector")));
            assertThat(at(svc, "spec", "ports", 0, "targetPort")).isEqualTo("http");
        }
        Map<String, Object> monitor = resource("ServiceMonitor", "loss-doctor");
        Map<String, Object> selector = map(at(monitor, "spec", "selector", "matchLabels"));
        assertThat(map(at(resource("Service", "loss-doctor"), "metadata", "labels"))).containsAllEntriesOf(selector);
        assertThat(map(at(resource("Service", "loss-doctor-headless"), "metadata", "labels")))
                .as("the headless Service is not scraped twice").doesNotContainEntry("app.kubernetes.io/component",
                        selector.get("app.kubernetes.io/component"));
        assertThat(at(monitor, "spec", "endpoints", 0, "port")).isEqualTo("http");
        assertThat(at(monitor, "spec", "endpoints", 0, "path")).isEqualTo("/metrics");
    }
}
