package dev.lossdoctor.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Grafana dashboard's and the alert rules' PromQL read is one the running service
 * really exposes, in a real {@code /metrics} scrape after a few events; and (when Prometheus is
 * installed) every dashboard query runs on a real Prometheus scraping the service, the main panels
 * with data.
 */
class DashboardMetricsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void dashboardAndRulesReadOnlyMetricsTheServiceExposes(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("state"));
        try (LiveService live = LiveService.start(kafka.broker(), tmp.resolve("state"))) {
            for (int epoch = 1; epoch <= 8; epoch++) {
                for (String run : List.of("it-dash-a", "it-dash-b")) {
                    live.send(run, "{\"run_id\":\"" + run + "\",\"epoch\":" + epoch + ",\"metrics\":{\"train_loss\":"
                            + (2.0 / epoch) + ",\"val_loss\":" + (2.3 / epoch) + "}}");
                }
            }
            live.sendPoison("it-dash-c", "not json: goes to the dead-letter topic");

            Set<String> wanted = new TreeSet<>();
            JsonNode dashboard = GrafanaDashboardTest.dashboard();
            wanted.addAll(GrafanaDashboardTest.metricNames(dashboard));
            PromtoolRulesTest.rules().forEach(r -> wanted.addAll(PromQl.metricNames((String) r.get("expr"))));
            wanted.removeAll(PromQl.PROMETHEUS_OWN);

            AtomicReference<Set<String>> exposed = new AtomicReference<>(Set.of());
            LiveService.await(Duration.ofSeconds(60), () -> {
                exposed.set(LiveService.metricNames(live.scrape()));
                return exposed.get().containsAll(wanted);
            });
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(exposed.get());
            assertThat(missing).as("metrics the dashboard or the rules read but /metrics does not expose").isEmpty();
            String scrape = live.scrape();
            assertThat(scrape).contains("lossdoctor_run_train_loss{run_id=\"it-dash-a\"}")
                    .contains("lossdoctor_events_total{outcome=\"rejected\"}");
            // the unusable value in the dead-letter topic (its headers valid as it is read), byte for byte
            assertThat(live.records("training-metrics-dlq", "it-dash-c", Duration.ofSeconds(60), dead -> !dead.isEmpty()))
                    .singleElement().satisfies(r -> assertThat(r.value()).isEqualTo("not json: goes to the dead-letter topic"));

            if (Files.isExecutable(DeployFiles.PROMETHEUS)) {
                Files.createDirectories(tmp.resolve("prometheus"));
                try (LiveService.Prometheus prometheus = new LiveService.Prometheus(tmp.resolve("prometheus"),
                        "127.0.0.1:" + live.service.httpPort(), DeployFiles.RULES)) {
                    everyDashboardQueryRuns(prometheus, dashboard);
                }
            }
        }
    }

    /** Each dashboard expression (Grafana variables filled in) is valid PromQL; the main panels return data. */
    private static void everyDashboardQueryRuns(LiveService.Prometheus prometheus, JsonNode dashboard) throws Exception {
        List<String> mustHaveData = List.of("sum by (diagnosis) (lossdoctor_runs)",
                "max by (run_id) (lossdoctor_run_train_loss{run_id=~\"$run_id\"})",
                "max by (run_id) (lossdoctor_run_val_loss{run_id=~\"$run_id\"})",
                "sum by (outcome) (rate(lossdoctor_events_total[$__rate_interval]))",
                "max by (instance) (lossdoctor_processing_lag_seconds)",
                "sum by (instance) (jvm_memory_used_bytes{area=\"heap\"})",
                "min(lossdoctor_streams_running)");
        // scraped at least three times: rates need two samples in their window
        String scrapes = prometheus.url("/api/v1/query?query=" + URLEncoder.encode(
                "count_over_time(lossdoctor_streams_running[1m])", StandardCharsets.UTF_8));
        boolean scraped = LiveService.await(Duration.ofSeconds(60), () -> {
            try {
                JsonNode result = JSON.readTree(LiveService.get(scrapes).body()).path("data").path("result");
                return result.size() > 0 && result.get(0).path("value").get(1).asDouble() >= 3;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(scraped).as("Prometheus scraped the service 3 times within 60 s:\n" + prometheus.log()).isTrue();
        List<String> failures = new ArrayList<>();
        for (String expr : GrafanaDashboardTest.expressions(dashboard)) {
            if (expr.startsWith("label_values(")) {
                continue; // a Grafana function, not PromQL
            }
            String query = expr.replace("$__rate_interval", "1m").replace("$run_id", ".+");
            var response = LiveService.get(prometheus.url("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                failures.add(expr + " -> " + response.body());
            } else if (mustHaveData.contains(expr) && body.path("data").path("result").isEmpty()) {
                failures.add(expr + " -> no data");
            }
        }
        assertThat(failures).as("dashboard queries on a real Prometheus").isEmpty();
    }
}
