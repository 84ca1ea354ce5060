package dev.lossdoctor.deploy;

import static dev.lossdoctor.deploy.DeployFiles.DASHBOARD;
import static dev.lossdoctor.deploy.DeployFiles.ROOT;
import static dev.lossdoctor.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard, statically: valid JSON with the panels the issue asks for, wired to the
 * provisioned data source, reading only the metrics of the service's contract. (DashboardMetricsIT
 * checks the same names against a real scrape of the running service.)
 */
class GrafanaDashboardTest {

    /** DESIGN.md section 4 and the service's contract: what the dashboard and rules may read. */
    static final Set<String> SERVICE_METRICS = Set.of("lossdoctor_events_total", "lossdoctor_diagnoses_total",
            "lossdoctor_runs", "lossdoctor_processing_lag_seconds", "lossdoctor_run_train_loss", "lossdoctor_run_val_loss",
            "lossdoctor_run_epoch", "lossdoctor_run_diagnosis", "lossdoctor_streams_running",
            "kafka_consumer_fetch_manager_records_lag_max", "jvm_memory_used_bytes", "lossdoctor_seconds_after_stop_advice_total");

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    /** Every PromQL expression of the dashboard: panel queries and template variable queries. */
    static List<String> expressions(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode p : panels(dashboard)) {
            p.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                exprs.add(v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText());
            }
        }
        return exprs;
    }

    static Set<String> metricNames(JsonNode dashboard) {
        Set<String> names = new TreeSet<>();
        expressions(dashboard).forEach(e -> names.addAll(PromQl.metricNames(e)));
        return names;
    }

    @Test
    void readsOnlyTheServicesMetricsAndPrometheusOwn() throws IOException {
        Set<String> names = metricNames(dashboard());
        Set<String> unknown = new TreeSet<>(names);
        unknown.removeAll(SERVICE_METRICS);
        unknown.removeAll(PromQl.PROMETHEUS_OWN);
        assertThat(unknown).as("metrics the service does not promise").isEmpty();
        assertThat(names).containsAll(SERVICE_METRICS);
    }

    @Test
    void hasThePanelsTheIssueAsksFor() throws IOException {
        JsonNode d = dashboard();
        List<String> titles = panels(d).stream().map(p -> p.path("title").asText()).toList();
        assertThat(titles).contains("Runs by diagnosis", "Loss of run $run_id", "Diagnosis over time",
                "Runs with problems and what to do", "Events / s", "Dead-letter rate", "Processing lag",
                "Consumer lag (records)", "Training time after the advice to stop", "Runs lagging their sweep");
        JsonNode loss = panels(d).stream().filter(p -> p.path("title").asText().equals("Loss of run $run_id")).findFirst().orElseThrow();
        assertThat(loss.path("repeat").asText()).isEqualTo("run_id");
        JsonNode timeline = panels(d).stream().filter(p -> p.path("type").asText().equals("state-timeline")).findFirst().orElseThrow();
        JsonNode mapping = timeline.path("fieldConfig").path("defaults").path("mappings").get(0).path("options");
        List<String> codes = new ArrayList<>();
        mapping.forEach(m -> codes.add(m.path("text").asText()));
        assertThat(codes).containsExactlyInAnyOrder("warming_up", "learning", "converged", "overfitting", "plateau",
                "data_issue", "diverging", "oscillating", "underfitting", "undertrained", "stalled", "misconfigured",
                "lagging");
        String table = panels(d).stream().filter(p -> p.path("title").asText().startsWith("Runs with problems and"))
                .findFirst().orElseThrow().toString();
        assertThat(table).contains("advice").contains("/runs/${__value.raw}");
        String advice = panels(d).stream().filter(p -> p.path("title").asText().startsWith("Runs with problems and"))
                .findFirst().orElseThrow().path("targets").get(0).path("expr").asText();
        assertThat(advice).as("lagging is a warning, so its runs are in the table: with what to do")
                .contains("\"advice\", \"Stop it and give its compute to its siblings").contains("\"diagnosis\", \"lagging\")");
    }

    @Test
    void usesTheProvisionedDataSourceAndTheRunVariable() throws IOException {
        JsonNode d = dashboard();
        assertThat(d.path("uid").asText()).isEqualTo("loss-doctor");
        Object provisioned = DeployFiles.yaml(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml"));
        String uid = (String) at(provisioned, "datasources", 0, "uid");
        List<String> variables = new ArrayList<>();
        d.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertThat(variables).contains("datasource", "run_id", "lossdoctor_url");
        JsonNode ds = d.path("templating").path("list").get(0);
        assertThat(ds.path("current").path("value").asText()).isEqualTo(uid);
        for (JsonNode p : panels(d)) {
            if (!p.path("type").asText().equals("row")) {
                assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
                assertThat(p.path("targets").size()).as(p.path("title").asText()).isPositive();
            }
            JsonNode grid = p.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(p.path("title").asText()).isLessThanOrEqualTo(24);
        }
        List<Integer> ids = panels(d).stream().map(p -> p.path("id").asInt()).toList();
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void promQlNamesAreExtractedCorrectly() {
        assertThat(PromQl.metricNames("sum by (diagnosis) (increase(lossdoctor_diagnoses_total{a=\"b\"}[5m])) / 1e3"))
                .containsExactly("lossdoctor_diagnoses_total");
        assertThat(PromQl.metricNames("label_replace(x_total == 1, \"advice\", \"Stop it (now)\", \"diagnosis\", \"y\") "
                + "and on (run_id) up{job=~\"$job\"} or vector(0)")).containsExactly("up", "x_total");
        assertThat(PromQl.metricNames("label_values(lossdoctor_run_train_loss, run_id)")).containsExactly("lossdoctor_run_train_loss");
    }
}
