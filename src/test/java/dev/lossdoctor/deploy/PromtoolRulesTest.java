package dev.lossdoctor.deploy;

import static dev.lossdoctor.deploy.DeployFiles.AMTOOL;
import static dev.lossdoctor.deploy.DeployFiles.PROMTOOL;
import static dev.lossdoctor.deploy.DeployFiles.ROOT;
import static dev.lossdoctor.deploy.DeployFiles.RULES;
import static dev.lossdoctor.deploy.DeployFiles.at;
import static dev.lossdoctor.deploy.DeployFiles.list;
import static dev.lossdoctor.deploy.DeployFiles.map;
import static dev.lossdoctor.deploy.DeployFiles.ruleTestFiles;
import static dev.lossdoctor.deploy.DeployFiles.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus and Alertmanager configuration: valid for promtool/amtool, and every alert rule
 * unit-tested with {@code promtool test rules}, firing and not firing. Needs Debian's
 * {@code prometheus} (promtool) and {@code prometheus-alertmanager} (amtool) packages, which CI
 * installs; without them the tests are skipped, saying so.
 */
class PromtoolRulesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    static void assumePromtool() {
        assumeTrue(Files.isExecutable(PROMTOOL),
                "/usr/bin/promtool is not installed (apt-get install prometheus): CI installs it and runs this test");
    }

    @Test
    void rulesAreValid() {
        assumePromtool();
        var result = run(ROOT, TIMEOUT, List.of(PROMTOOL.toString(), "check", "rules", RULES.toString()))
                .assertSuccess("promtool check rules");
        assertThat(result.output()).contains("SUCCESS: " + alertNames().size() + " rules found");
    }

    @Test
    void prometheusConfigIsValidAndLoadsTheRules() {
        assumePromtool();
        var result = run(ROOT, TIMEOUT, List.of(PROMTOOL.toString(), "check", "config", "deploy/prometheus/prometheus.yml"))
                .assertSuccess("promtool check config");
        assertThat(result.output()).contains("1 rule files found").contains("loss-doctor.rules.yml");
        Object config = DeployFiles.yaml(ROOT.resolve("deploy/prometheus/prometheus.yml"));
        List<Object> jobs = list(at(config, "scrape_configs"));
        Map<String, Object> lossDoctor = jobs.stream().map(DeployFiles::map)
                .filter(j -> "loss-doctor".equals(j.get("job_name"))).findFirst().orElseThrow();
        assertThat(at(lossDoctor, "metrics_path")).isEqualTo("/metrics");
        assertThat(list(at(lossDoctor, "static_configs", 0, "targets"))).containsExactly("loss-doctor:8080");
        assertThat(list(at(config, "alerting", "alertmanagers", 0, "static_configs", 0, "targets")))
                .containsExactly("alertmanager:9093");
    }

    @Test
    void everyRulePassesItsPromtoolUnitTests() {
        assumePromtool();
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString(), "test", "rules"));
        ruleTestFiles().forEach(f -> command.add(ROOT.relativize(f).toString()));
        var result = run(ROOT, TIMEOUT, command).assertSuccess("promtool test rules");
        assertThat(result.output()).doesNotContain("FAILED");
        assertThat(result.output().split("SUCCESS", -1)).hasSize(ruleTestFiles().size() + 1);
    }

    /** Every alert has a unit test where it fires and one where it must not: checked from the test files. */
    @Test
    void everyAlertHasAFiringAndANotFiringTest() {
        Map<String, boolean[]> seen = new LinkedHashMap<>();
        alertNames().forEach(a -> seen.put(a, new boolean[2]));
        for (Path file : ruleTestFiles()) {
            Object tests = at(DeployFiles.yaml(file), "tests");
            for (Object test : list(tests)) {
                Object cases = map(test).get("alert_rule_test");
                if (cases == null) {
                    continue;
                }
                for (Object c : list(cases)) {
                    String alert = (String) map(c).get("alertname");
                    Object expected = map(c).get("exp_alerts");
                    boolean firing = expected instanceof List<?> l && !l.isEmpty();
                    assertThat(seen).as("test of an alert that does not exist, in " + file).containsKey(alert);
                    seen.get(alert)[firing ? 0 : 1] = true;
                }
            }
        }
        seen.forEach((alert, cases) -> {
            assertThat(cases[0]).as(alert + " has a test where it fires").isTrue();
            assertThat(cases[1]).as(alert + " has a test where it does not fire").isTrue();
        });
    }

    @Test
    void everyAlertExplainsItselfAndRunAlertsNameTheRunAndLinkToIt() {
        for (Map<String, Object> rule : rules()) {
            String alert = (String) rule.get("alert");
            Map<String, Object> annotations = map(rule.get("annotations"));
            assertThat(annotations).as(alert).containsKeys("summary", "description", "runbook");
            assertThat((String) at(rule, "labels", "severity")).as(alert).isIn("warning", "critical");
            assertThat((String) annotations.get("runbook")).isEqualTo("docs/deploy.md#" + alert.toLowerCase());
            if (alert.startsWith("Run")) {
                assertThat((String) annotations.get("summary")).contains("{{ $labels.run_id }}");
                assertThat((String) annotations.get("description")).contains("{{ $labels.run_id }}");
                assertThat((String) annotations.get("run_url")).contains("/runs/{{ $labels.run_id | urlquery }}");
            }
        }
        assertThat(rule("RunDiverging").get("for")).isEqualTo("0m");
        assertThat(at(rule("RunDiverging"), "labels", "severity")).isEqualTo("critical");
        for (String warning : List.of("RunOverfitting", "RunPlateau", "RunStalled", "RunDataIssue")) {
            assertThat(at(rule(warning), "labels", "severity")).isEqualTo("warning");
            assertThat(rule(warning).get("for")).isEqualTo("2m");
        }
        assertThat(alertNames()).contains("LossDoctorDown", "DeadLetterRateHigh", "ConsumerLagHigh");
    }

    /** The docs list every alert (docs/deploy.md, merged into the README). */
    @Test
    void everyAlertIsDocumented() throws IOException {
        String docs = Files.readString(ROOT.resolve("docs/deploy.md"));
        for (String alert : alertNames()) {
            assertThat(docs).as("docs/deploy.md documents " + alert).contains("#### " + alert);
        }
    }

    /** The metrics the rules read are the service's (DESIGN.md section 4) or Prometheus' own. */
    @Test
    void rulesReadOnlyKnownMetrics() {
        Set<String> names = new TreeSet<>();
        rules().forEach(r -> names.addAll(PromQl.metricNames((String) r.get("expr"))));
        assertThat(names).containsExactlyInAnyOrder("up", "lossdoctor_run_diagnosis", "lossdoctor_streams_running",
                "lossdoctor_events_total", "kafka_consumer_fetch_manager_records_lag_max");
    }

    @Test
    void alertmanagerConfigIsValidAndRoutesToTheWebhook() {
        assumeTrue(Files.isExecutable(AMTOOL),
                "/usr/bin/amtool is not installed (apt-get install prometheus-alertmanager): CI installs it");
        String config = "--config.file=deploy/alertmanager/alertmanager.yml";
        run(ROOT, TIMEOUT, List.of(AMTOOL.toString(), "check-config", "deploy/alertmanager/alertmanager.yml"))
                .assertSuccess("amtool check-config");
        for (List<String> labels : List.of(List.of("alertname=RunDiverging", "severity=critical", "run_id=r1"),
                List.of("alertname=RunOverfitting", "severity=warning", "run_id=r1"),
                List.of("alertname=LossDoctorDown", "severity=critical"))) {
            List<String> command = new ArrayList<>(List.of(AMTOOL.toString(), "config", "routes", "test", config));
            command.addAll(labels);
            assertThat(run(ROOT, TIMEOUT, command).assertSuccess("amtool config routes test").output().trim())
                    .endsWith("loss-doctor-webhook");
        }
        assertThat((String) at(DeployFiles.yaml(ROOT.resolve("deploy/alertmanager/alertmanager.yml")),
                "receivers", 0, "webhook_configs", 0, "url")).isEqualTo("http://diagnosis-consumer:8090/alertmanager");
    }

    /** The PrometheusRule of deploy/k8s, made of the same groups, is valid for promtool too. */
    @Test
    void kubernetesPrometheusRuleGroupsAreValidRules(@TempDir Path tmp) throws IOException {
        assumePromtool();
        Object resource = DeployFiles.yamlDocuments(ROOT.resolve("deploy/k8s/prometheusrule.yaml")).get(0);
        Path groups = tmp.resolve("groups.yml");
        Files.writeString(groups, DeployFiles.dumpYaml(Map.of("groups", at(resource, "spec", "groups"))));
        run(ROOT, TIMEOUT, List.of(PROMTOOL.toString(), "check", "rules", groups.toString()))
                .assertSuccess("promtool check rules on the PrometheusRule's groups");
    }

    static List<Map<String, Object>> rules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : list(at(DeployFiles.yaml(RULES), "groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                rules.add(map(rule));
            }
        }
        return rules;
    }

    static Map<String, Object> rule(String alert) {
        return rules().stream().filter(r -> alert.equals(r.get("alert"))).findFirst().orElseThrow();
    }

    static List<String> alertNames() {
        return rules().stream().map(r -> (String) r.get("alert")).toList();
    }
}
