package dev.lossdoctor.deploy;

import static dev.lossdoctor.deploy.DeployFiles.PROMTOOL;
import static dev.lossdoctor.deploy.DeployFiles.ROOT;
import static dev.lossdoctor.deploy.DeployFiles.at;
import static dev.lossdoctor.deploy.DeployFiles.list;
import static dev.lossdoctor.deploy.DeployFiles.map;
import static dev.lossdoctor.deploy.DeployFiles.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lagging} is advice (issue 11, "Done when"): the dashboard counts the runs lagging their sweep,
 * and no alert, neither Prometheus' rules nor the Grafana alerting generated from them, fires on it.
 */
class LaggingIsAdviceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String PANEL = "Runs lagging their sweep";
    /** The per-diagnosis metrics of the service (DiagnosisMeters): what an alert on a diagnosis would read. */
    private static final Set<String> BY_DIAGNOSIS = Set.of("lossdoctor_run_diagnosis", "lossdoctor_runs",
            "lossdoctor_diagnoses_total");
    private static final Pattern SELECTOR = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\s*(\\{[^}]*})?");
    private static final Pattern DIAGNOSIS_MATCHER = Pattern.compile("\\bdiagnosis\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");

    static String panelQuery() throws IOException {
        JsonNode panel = GrafanaDashboardTest.panels(GrafanaDashboardTest.dashboard()).stream()
                .filter(p -> PANEL.equals(p.path("title").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("the dashboard has no panel \"" + PANEL + "\""));
        assertThat(panel.path("targets").size()).isEqualTo(1);
        return panel.path("targets").get(0).path("expr").asText();
    }

    @Test
    void thePanelCountsTheRunsLaggingTheirSweepOnEveryInstance(@TempDir Path tmp) throws IOException {
        String expr = panelQuery();
        assertThat(PromQl.metricNames(expr)).containsExactly("lossdoctor_runs");
        PromtoolRulesTest.assumePromtool();
        // two instances hold 2 and 1 lagging runs (and others learning); then none: 0, not "no data"
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("interval", "1m");
        test.put("input_series", List.of(
                series("lossdoctor_runs{job=\"loss-doctor\",instance=\"a:8080\",diagnosis=\"lagging\"}", "2 2 stale"),
                series("lossdoctor_runs{job=\"loss-doctor\",instance=\"b:8080\",diagnosis=\"lagging\"}", "1 1 stale"),
                series("lossdoctor_runs{job=\"loss-doctor\",instance=\"a:8080\",diagnosis=\"learning\"}", "7 7 9")));
        test.put("promql_expr_test", List.of(
                Map.of("expr", expr, "eval_time", "1m", "exp_samples", List.of(Map.of("labels", "{}", "value", 3))),
                Map.of("expr", expr, "eval_time", "2m", "exp_samples", List.of(Map.of("labels", "{}", "value", 0)))));
        Path file = tmp.resolve("lagging-panel.test.yml");
        Files.writeString(file, DeployFiles.dumpYaml(Map.of("rule_files", List.of(), "evaluation_interval", "1m",
                "tests", List.of(test))));
        var result = run(ROOT, TIMEOUT, List.of(PROMTOOL.toString(), "test", "rules", file.toString()))
                .assertSuccess("promtool test rules on the panel's query");
        assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    /** A run lagging for an hour on a healthy service: every alert of the rules files stays silent. */
    @Test
    void noPrometheusAlertFiresOnALaggingRun(@TempDir Path tmp) throws IOException {
        PromtoolRulesTest.assumePromtool();
        List<String> alerts = new ArrayList<>();
        for (Path rules : rulesFiles()) {
            for (Object group : list(at(DeployFiles.yaml(rules), "groups"))) {
                list(map(group).get("rules")).stream().map(DeployFiles::map).filter(r -> r.containsKey("alert"))
                        .forEach(r -> alerts.add((String) r.get("alert")));
            }
        }
        assertThat(alerts).contains("RunDiverging", "RunOverfitting", "LossDoctorDown");
        String instance = "job=\"loss-doctor\",instance=\"loss-doctor:8080\"";
        List<Object> checks = new ArrayList<>();
        for (String alert : alerts) {
            for (String at : List.of("10m", "1h")) {
                checks.add(Map.of("eval_time", at, "alertname", alert, "exp_alerts", List.of()));
            }
        }
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("name", "a run lagging its sweep pages no one");
        test.put("interval", "1m");
        test.put("input_series", List.of(
                series("up{" + instance + "}", "1x60"),
                series("lossdoctor_streams_running{" + instance + "}", "1x60"),
                series("lossdoctor_events_total{" + instance + ",outcome=\"accepted\"}", "0+60x60"),
                series("lossdoctor_events_total{" + instance + ",outcome=\"rejected\"}", "0x60"),
                series("lossdoctor_run_diagnosis{" + instance + ",run_id=\"sweep-7/lr0.3\",diagnosis=\"lagging\","
                        + "severity=\"warning\"}", "1x60"),
                series("lossdoctor_run_diagnosis{" + instance + ",run_id=\"sweep-7/lr0.3\",diagnosis=\"learning\","
                        + "severity=\"info\"}", "0x60"),
                series("lossdoctor_run_epoch{" + instance + ",run_id=\"sweep-7/lr0.3\"}", "3+1x60"),
                series("lossdoctor_runs{" + instance + ",diagnosis=\"lagging\"}", "1x60"),
                series("lossdoctor_diagnoses_total{" + instance + ",diagnosis=\"lagging\",severity=\"warning\"}", "1x60")));
        test.put("alert_rule_test", checks);
        Path file = tmp.resolve("lagging.test.yml");
        List<String> ruleFiles = rulesFiles().stream().map(Path::toString).toList();
        Files.writeString(file, DeployFiles.dumpYaml(Map.of("rule_files", ruleFiles, "evaluation_interval", "1m",
                "tests", List.of(test))));
        var result = run(ROOT, TIMEOUT, List.of(PROMTOOL.toString(), "test", "rules", file.toString()))
                .assertSuccess("promtool test rules: no alert on a lagging run");
        assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    /** Statically, for the Prometheus rules and the Grafana rules made from them: no alert selects lagging. */
    @Test
    void noAlertQuerySelectsLagging() {
        List<String> queries = new ArrayList<>();
        for (Path rules : rulesFiles()) {
            for (Object group : list(at(DeployFiles.yaml(rules), "groups"))) {
                list(map(group).get("rules")).stream().map(DeployFiles::map).filter(r -> r.containsKey("alert"))
                        .forEach(r -> queries.add((String) r.get("expr")));
            }
        }
        GrafanaAlertingTest.promQueries().forEach(q -> queries.add(q[2]));
        assertThat(queries).hasSizeGreaterThan(PromtoolRulesTest.alertNames().size());
        assertThat(queries).filteredOn(LaggingIsAdviceTest::selectsLagging).isEmpty();
    }

    @Test
    void theCheckSeesAnAlertThatWouldSelectLagging() {
        assertThat(selectsLagging("lossdoctor_run_diagnosis{diagnosis=\"lagging\"} == 1")).isTrue();
        assertThat(selectsLagging("lossdoctor_run_diagnosis{severity=\"warning\"} == 1")).isTrue();
        assertThat(selectsLagging("sum(lossdoctor_runs{diagnosis=~\"lag.*|plateau\"}) > 3")).isTrue();
        assertThat(selectsLagging("lossdoctor_run_diagnosis{diagnosis!=\"diverging\"} == 1")).isTrue();
        assertThat(selectsLagging("increase(lossdoctor_diagnoses_total[1h]) > 0")).isTrue();
        assertThat(selectsLagging("lossdoctor_run_diagnosis{diagnosis=\"diverging\"} == 1")).isFalse();
        assertThat(selectsLagging("lossdoctor_run_diagnosis{diagnosis!~\"lagging|learning\"} == 1")).isFalse();
        assertThat(selectsLagging("lossdoctor_run_diagnosis{diagnosis=~\"lag\"} == 1")).as("anchored, as PromQL's").isFalse();
        assertThat(selectsLagging("lossdoctor_streams_running == 0")).isFalse();
    }

    /** Whether a selector of a per-diagnosis metric in {@code expr} lets the series of lagging through. */
    static boolean selectsLagging(String expr) {
        Matcher m = SELECTOR.matcher(expr.replaceAll("\\[[^]]*]", ""));
        while (m.find()) {
            if (!BY_DIAGNOSIS.contains(m.group(1))) {
                continue;
            }
            boolean passes = true;
            Matcher d = DIAGNOSIS_MATCHER.matcher(m.group(2) == null ? "" : m.group(2));
            while (d.find()) {
                boolean matches = switch (d.group(1)) {
                    case "=" -> d.group(2).equals("lagging");
                    case "!=" -> !d.group(2).equals("lagging");
                    case "=~" -> "lagging".matches(d.group(2));
                    default -> !"lagging".matches(d.group(2));
                };
                passes &= matches;
            }
            if (passes) {
                return true;
            }
        }
        return false;
    }

    static List<Path> rulesFiles() {
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/prometheus/rules"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, Object> series(String name, String values) {
        return Map.of("series", name, "values", values);
    }
}
