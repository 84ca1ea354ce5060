package dev.lossdoctor.deploy;

import static dev.lossdoctor.deploy.DeployFiles.PROMTOOL;
import static dev.lossdoctor.deploy.DeployFiles.ROOT;
import static dev.lossdoctor.deploy.DeployFiles.at;
import static dev.lossdoctor.deploy.DeployFiles.list;
import static dev.lossdoctor.deploy.DeployFiles.map;
import static dev.lossdoctor.deploy.DeployFiles.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana-managed alerting files of deploy/grafana/provisioning/alerting. No Grafana runs here, so
 * their structure is checked against Grafana's documented file-provisioning format (and the rules its
 * provisioning code enforces); every PromQL query runs through a real promtool; and the rules must say
 * what deploy/prometheus/rules/loss-doctor.rules.yml says, the one source they are generated from.
 */
class GrafanaAlertingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path RULES_FILE = GrafanaAlertingGenerator.RULES_OUT;
    private static final Pattern UID = Pattern.compile("[a-zA-Z0-9_-]{1,40}");
    private static final Set<String> EXPRESSION_TYPES = Set.of("math", "reduce", "resample", "classic_conditions",
            "threshold", "sql");
    private static final Set<String> REDUCERS = Set.of("last", "mean", "min", "max", "sum", "count", "median");
    private static final Set<String> THRESHOLDS = Set.of("gt", "lt", "within_range", "outside_range");
    /** Go's template built-ins and the functions Grafana documents for annotation and label templates. */
    private static final Set<String> TEMPLATE_FUNCTIONS = Set.of("and", "or", "not", "len", "index", "slice", "print",
            "printf", "println", "html", "js", "urlquery", "eq", "ne", "lt", "le", "gt", "ge", "call",
            "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "toTime",
            "title", "toUpper", "toLower", "stripPort", "stripDomain", "match", "reReplaceAll", "graphLink",
            "tableLink", "parseDuration", "args", "safeHtml", "externalURL", "pathPrefix");
    private static final Set<String> TEMPLATE_KEYWORDS = Set.of("with", "if", "else", "end", "range", "nil", "true",
            "false", "template", "define", "block", "break", "continue");
    private static final Pattern ACTION = Pattern.compile("\\{\\{-?(.*?)-?}}", Pattern.DOTALL);

    static Object rulesFile() {
        return DeployFiles.yaml(RULES_FILE);
    }

    static List<Map<String, Object>> grafanaRules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : list(at(rulesFile(), "groups"))) {
            list(map(group).get("rules")).forEach(r -> rules.add(map(r)));
        }
        return rules;
    }

    static Map<String, Object> grafanaRule(String title) {
        return grafanaRules().stream().filter(r -> title.equals(r.get("title"))).findFirst()
                .orElseThrow(() -> new AssertionError("no Grafana rule " + title));
    }

    static Map<String, Object> query(Map<String, Object> rule, String refId) {
        return list(rule.get("data")).stream().map(DeployFiles::map).filter(q -> refId.equals(q.get("refId")))
                .findFirst().orElseThrow(() -> new AssertionError(rule.get("title") + " has no query " + refId));
    }

    /** Every Prometheus query of every rule: title, refId and PromQL. */
    static List<String[]> promQueries() {
        List<String[]> queries = new ArrayList<>();
        for (Map<String, Object> rule : grafanaRules()) {
            for (Object q : list(rule.get("data"))) {
                if (!GrafanaAlertingGenerator.EXPR_DATASOURCE.equals(map(q).get("datasourceUid"))) {
                    queries.add(new String[] {(String) rule.get("title"), (String) map(q).get("refId"),
                            (String) at(q, "model", "expr")});
                }
            }
        }
        return queries;
    }

    // --- one source ---------------------------------------------------------------------------------

    @Test
    void committedFilesAreWhatTheGeneratorWritesFromTheRulesFile() {
        assertThat(GrafanaAlertingGenerator.outOfDate())
                .as("out of date: run " + GrafanaAlertingGenerator.REGENERATE + " (it writes the Grafana alert rules from "
                        + "deploy/prometheus/rules/loss-doctor.rules.yml and the kustomize copies in deploy/k8s/grafana)")
                .isEmpty();
    }

    /** Read independently of the generator: the same alerts, PromQL, for, labels and advice. */
    @Test
    void grafanaRulesSayWhatThePrometheusRulesSay() {
        String regenerate = "disagrees with deploy/prometheus/rules/loss-doctor.rules.yml: run " + GrafanaAlertingGenerator.REGENERATE;
        assertThat(grafanaRules().stream().map(r -> (String) r.get("title")).toList()).as(regenerate)
                .containsExactlyElementsOf(PromtoolRulesTest.alertNames());
        List<Object> promGroups = list(at(DeployFiles.yaml(DeployFiles.RULES), "groups"));
        List<Object> grafanaGroups = list(at(rulesFile(), "groups"));
        assertThat(grafanaGroups.stream().map(g -> map(g).get("name")).toList()).as(regenerate)
                .isEqualTo(promGroups.stream().map(g -> map(g).get("name")).toList());
        for (Map<String, Object> prom : PromtoolRulesTest.rules()) {
            String alert = (String) prom.get("alert");
            Map<String, Object> grafana = grafanaRule(alert);
            assertThat(at(query(grafana, "A"), "model", "expr")).as(alert + " PromQL, " + regenerate)
                    .isEqualTo(((String) prom.get("expr")).strip());
            assertThat(GrafanaAlertingGenerator.parseDuration((String) grafana.get("for"))).as(alert + " for, " + regenerate)
                    .isEqualTo(GrafanaAlertingGenerator.parseDuration((String) prom.get("for")));
            assertThat(grafana.get("labels")).as(alert + " labels (severity), " + regenerate).isEqualTo(prom.get("labels"));
            Map<String, Object> promAnnotations = map(prom.get("annotations"));
            Map<String, Object> grafanaAnnotations = map(grafana.get("annotations"));
            promAnnotations.forEach((key, text) -> assertThat(withoutActions((String) grafanaAnnotations.get(key)))
                    .as(alert + " annotation " + key + " (its words, templates aside), " + regenerate)
                    .isEqualTo(withoutActions((String) text)));
        }
    }

    private static String withoutActions(String template) {
        return template == null ? null : ACTION.matcher(template).replaceAll("").replaceAll("\\s+", " ").strip();
    }

    @Test
    void runAlertsNameTheRunItsEpochTheAdviceAndLinkToTheRunAndTheDashboard() throws IOException {
        Map<String, Object> diverging = grafanaRule("RunDiverging");
        Map<String, Object> annotations = map(diverging.get("annotations"));
        assertThat((String) annotations.get("summary")).isEqualTo("Training run {{ $labels.run_id }} is diverging");
        assertThat((String) annotations.get("description"))
                .contains("run {{ $labels.run_id }} as diverging")
                .contains("{{ with index $values \"E\" }}{{ if gt .Value 0.0 }} at epoch {{ printf \"%.0f\" .Value }}{{ end }}{{ end }}")
                .contains("lower the learning rate (x0.1)");
        assertThat(annotations.get("run_url")).isEqualTo("http://{{ $labels.instance }}/runs/{{ $labels.run_id | urlquery }}");
        assertThat(annotations.get("dashboard_url")).isEqualTo("{{ externalURL }}d/loss-doctor?var-run_id={{ $labels.run_id | urlquery }}");
        assertThat(annotations.get("runbook")).isEqualTo("docs/deploy.md#rundiverging");
        assertThat(at(query(diverging, "E"), "model", "expr")).isEqualTo("max by (job, instance, run_id) (lossdoctor_run_epoch)");
        JsonNode dashboard = GrafanaDashboardTest.dashboard();
        for (Map<String, Object> rule : grafanaRules()) {
            String title = (String) rule.get("title");
            assertThat(rule.get("dashboardUid")).as(title).isEqualTo(dashboard.path("uid").asText());
            JsonNode panel = GrafanaDashboardTest.panels(dashboard).stream()
                    .filter(p -> p.path("id").asInt() == ((Number) rule.get("panelId")).intValue()).findFirst()
                    .orElseThrow(() -> new AssertionError(title + " links to no panel of the dashboard"));
            assertThat(panel.path("type").asText()).as(title + " links to a panel, not a row").isNotEqualTo("row");
            if (title.startsWith("Run")) {
                assertThat(panel.path("title").asText()).as(title).isEqualTo("Runs with problems and what to do");
                assertThat(map(rule.get("annotations"))).as(title).containsKeys("run_url", "dashboard_url");
                assertThat((String) map(rule.get("annotations")).get("description")).as(title)
                        .contains("{{ $labels.run_id }}");
            }
        }
        assertThat(at(grafanaRule("DeadLetterRateHigh"), "annotations", "summary"))
                .isEqualTo("{{ $values.B.Value | humanizePercentage }} of training events are rejected on {{ $labels.instance }}");
        assertThat(grafanaRule("ConsumerLagHigh").get("panelId")).isEqualTo(panelId(dashboard, "Consumer lag (records)"));
        assertThat(grafanaRule("LossDoctorDown").get("panelId")).isEqualTo(panelId(dashboard, "Instances up"));
    }

    private static int panelId(JsonNode dashboard, String title) {
        return GrafanaDashboardTest.panels(dashboard).stream().filter(p -> title.equals(p.path("title").asText()))
                .findFirst().orElseThrow().path("id").asInt();
    }

    /** The runbook annotation is the Prometheus rules' own, and its anchor is a heading of docs/deploy.md. */
    @Test
    void runbookLinksPointAtSectionsOfTheDeployDocs() throws IOException {
        Set<String> anchors = new HashSet<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/deploy.md"))) {
            if (line.startsWith("#")) {
                anchors.add(line.replaceFirst("^#+\\s*", "").strip().toLowerCase(java.util.Locale.ROOT)
                        .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        for (Map<String, Object> rule : grafanaRules()) {
            String runbook = (String) at(rule, "annotations", "runbook");
            assertThat(runbook).as(rule.get("title") + " runbook").startsWith("docs/deploy.md#");
            assertThat(anchors).as(rule.get("title") + " runbook anchor").contains(runbook.substring(runbook.indexOf('#') + 1));
        }
    }

    /** Notification timing and grouping follow Alertmanager's route, by severity. */
    @Test
    void notificationSettingsFollowTheAlertmanagerRoute() {
        Map<String, Object> critical = map(grafanaRule("RunDiverging").get("notification_settings"));
        assertThat(critical.get("receiver")).isEqualTo("loss-doctor-webhook");
        assertThat(list(critical.get("group_by"))).containsExactly("grafana_folder", "alertname", "run_id");
        assertThat(critical.get("group_wait")).isEqualTo("0s");
        assertThat(critical.get("repeat_interval")).isEqualTo("30m");
        Map<String, Object> warning = map(grafanaRule("RunOverfitting").get("notification_settings"));
        assertThat(warning.get("group_wait")).isEqualTo("10s");
        assertThat(warning.get("repeat_interval")).isEqualTo("4h");
        Object route = at(DeployFiles.yaml(GrafanaAlertingGenerator.ALERTMANAGER), "route");
        assertThat(warning.get("group_interval")).isEqualTo(at(route, "group_interval"));
        assertThat(warning.get("receiver")).isEqualTo(at(route, "receiver"));
        for (Map<String, Object> rule : grafanaRules()) {
            String severity = (String) at(rule, "labels", "severity");
            assertThat(map(rule.get("notification_settings"))).as((String) rule.get("title"))
                    .isEqualTo(severity.equals("critical") ? critical : warning);
        }
    }

    // --- Grafana's file provisioning format ---------------------------------------------------------

    @Test
    void rulesFileHasGrafanasProvisioningStructure() throws IOException {
        Object file = rulesFile();
        assertThat(at(file, "apiVersion")).isEqualTo(1);
        Set<String> datasourceUids = provisionedDatasourceUids();
        Set<String> contactPoints = contactPointNames();
        Set<String> uids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (Object g : list(at(file, "groups"))) {
            Map<String, Object> group = map(g);
            assertThat(group.get("orgId")).isEqualTo(1);
            assertThat((String) group.get("name")).isNotBlank();
            assertThat((String) group.get("folder")).isNotBlank();
            Duration interval = GrafanaAlertingGenerator.parseDuration((String) group.get("interval"));
            assertThat(interval.toSeconds() % 10).as("Grafana evaluates on multiples of its 10s base interval").isZero();
            assertThat(interval).isPositive();
            for (Object r : list(group.get("rules"))) {
                Map<String, Object> rule = map(r);
                String title = (String) rule.get("title");
                assertThat(title).isNotBlank();
                assertThat(titles.add(group.get("folder") + "/" + title)).as("title unique in its folder: " + title).isTrue();
                assertThat((String) rule.get("uid")).as(title).matches(UID);
                assertThat(uids.add((String) rule.get("uid"))).as("uid unique: " + rule.get("uid")).isTrue();
                checkData(title, rule, datasourceUids);
                GrafanaAlertingGenerator.parseDuration((String) rule.get("for"));
                assertThat(rule.get("noDataState")).as(title).isIn("NoData", "Alerting", "OK", "KeepLast");
                assertThat(rule.get("execErrState")).as(title).isIn("Error", "Alerting", "OK", "KeepLast");
                assertThat(rule.get("isPaused")).as(title).isEqualTo(false);
                assertThat(rule.get("dashboardUid")).isInstanceOf(String.class);
                assertThat(rule.get("panelId")).isInstanceOf(Integer.class);
                checkStringMap(title + " labels", rule.get("labels"));
                checkStringMap(title + " annotations", rule.get("annotations"));
                map(rule.get("labels")).forEach((k, v) -> assertThat((String) v)
                        .as("Grafana expands $VAR in provisioned labels: " + title + " " + k).doesNotContain("$"));
                map(rule.get("annotations")).forEach((k, v) -> {
                    assertThat((String) v).as("Grafana expands ${VAR} in provisioned annotations: " + title + " " + k)
                            .doesNotContain("${");
                    checkTemplate(title + " " + k, (String) v);
                });
                Map<String, Object> ns = map(rule.get("notification_settings"));
                assertThat(contactPoints).as(title + " notifies a provisioned contact point").contains((String) ns.get("receiver"));
                List<Object> groupBy = list(ns.get("group_by"));
                assertThat(groupBy).as(title + ": Grafana's simplified routing groups by alertname and folder")
                        .contains("alertname", "grafana_folder").doesNotHaveDuplicates();
                for (String key : List.of("group_wait", "group_interval", "repeat_interval")) {
                    Duration d = GrafanaAlertingGenerator.parseDuration((String) ns.get(key));
                    if (!key.equals("group_wait")) {
                        assertThat(d).as(title + " " + key).isPositive();
                    }
                }
            }
        }
        assertThat(uids).hasSize(PromtoolRulesTest.alertNames().size());
    }

    private static void checkData(String title, Map<String, Object> rule, Set<String> datasourceUids) {
        List<Object> data = list(rule.get("data"));
        assertThat(data).as(title + " data").isNotEmpty();
        Set<String> refIds = new HashSet<>();
        for (Object q : data) {
            Map<String, Object> query = map(q);
            String refId = (String) query.get("refId");
            assertThat(refIds.add(refId)).as(title + " refId unique: " + refId).isTrue();
            assertThat(at(query, "model", "refId")).as(title + " " + refId).isEqualTo(refId);
            String ds = (String) query.get("datasourceUid");
            assertThat(at(query, "model", "datasource", "uid")).as(title + " " + refId).isEqualTo(ds);
            if (GrafanaAlertingGenerator.EXPR_DATASOURCE.equals(ds)) {
                checkExpression(title, refId, map(query.get("model")), refIds);
            } else {
                assertThat(datasourceUids).as(title + " " + refId + " queries a provisioned data source").contains(ds);
                assertThat(at(query, "model", "datasource", "type")).isEqualTo("prometheus");
                assertThat((String) at(query, "model", "expr")).as(title + " " + refId).isNotBlank();
                assertThat(at(query, "model", "instant")).as(title + " " + refId + " is an instant query").isEqualTo(true);
                assertThat(((Number) at(query, "relativeTimeRange", "from")).intValue())
                        .isGreaterThan(((Number) at(query, "relativeTimeRange", "to")).intValue());
            }
        }
        assertThat(refIds).as(title + " condition").contains((String) rule.get("condition"));
        assertThat(at(query(rule, (String) rule.get("condition")), "model", "type")).as(title + " condition")
                .isEqualTo("threshold");
    }

    /** An expression reads only queries or expressions defined before it. */
    private static void checkExpression(String title, String refId, Map<String, Object> model, Set<String> defined) {
        String type = (String) model.get("type");
        String expression = (String) model.get("expression");
        assertThat(type).as(title + " " + refId).isIn(EXPRESSION_TYPES);
        switch (type) {
            case "reduce" -> {
                assertThat(defined).as(title + " " + refId + " reduces a defined query").contains(expression);
                assertThat(model.get("reducer")).as(title + " " + refId).isIn(REDUCERS);
            }
            case "threshold" -> {
                assertThat(defined).as(title + " " + refId + " thresholds a defined query").contains(expression);
                Object evaluator = at(model, "conditions", 0, "evaluator");
                assertThat(at(evaluator, "type")).as(title + " " + refId).isIn(THRESHOLDS);
                assertThat(list(at(evaluator, "params"))).allSatisfy(p -> assertThat(p).isInstanceOf(Number.class));
            }
            case "math" -> {
                Matcher vars = Pattern.compile("\\$\\{?([A-Za-z0-9_]+)").matcher(expression);
                int count = 0;
                while (vars.find()) {
                    assertThat(defined).as(title + " " + refId + " math reads a defined query").contains(vars.group(1));
                    count++;
                }
                assertThat(count).as(title + " " + refId + " math reads something").isPositive();
            }
            default -> { }
        }
    }

    private static void checkStringMap(String what, Object value) {
        map(value).forEach((k, v) -> {
            assertThat(k).as(what).matches("[a-zA-Z_][a-zA-Z0-9_]*");
            assertThat(v).as(what + " " + k).isInstanceOf(String.class);
        });
    }

    /** Balanced actions, and only functions Grafana's templates have (no Prometheus-only query/first/value). */
    static void checkTemplate(String what, String template) {
        int opened = 0;
        Matcher m = ACTION.matcher(template);
        while (m.find()) {
            String body = m.group(1).replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`", " ");
            Matcher word = Pattern.compile("(?<![$.\\w])([A-Za-z_][A-Za-z0-9_]*)").matcher(body);
            boolean first = true;
            while (word.find()) {
                String w = word.group(1);
                if (first && Set.of("with", "if", "range").contains(w)) {
                    opened++;
                } else if (first && w.equals("end")) {
                    opened--;
                }
                first = false;
                if (!TEMPLATE_KEYWORDS.contains(w)) {
                    assertThat(TEMPLATE_FUNCTIONS).as(what + ": Grafana has no template function " + w).contains(w);
                }
            }
            assertThat(opened).as(what + ": an end without its with/if/range").isNotNegative();
        }
        assertThat(opened).as(what + ": every with/if/range has its end").isZero();
        assertThat(template).as(what + ": Grafana fails on a missing $labels.x (missingkey=error); test an optional label "
                + "with index $labels \"x\"").doesNotContainPattern("\\b(with|if) \\$labels\\.");
        assertThat(template.replaceAll(ACTION.pattern(), "")).as(what + ": stray braces").doesNotContain("{{").doesNotContain("}}");
    }

    @Test
    void templateCheckRejectsWhatGrafanaCannotRun() {
        String prometheusOnly = (String) at(PromtoolRulesTest.rule("RunDiverging"), "annotations", "description");
        assertThatThrownBy(() -> checkTemplate("prometheus", prometheusOnly)).hasMessageContaining("no template function query");
        assertThatThrownBy(() -> checkTemplate("unbalanced", "{{ with $labels.x }}x")).hasMessageContaining("has its end");
        assertThatThrownBy(() -> checkTemplate("optional", "{{ with $labels.instance }}at {{ . }}{{ end }}"))
                .hasMessageContaining("missingkey=error");
        checkTemplate("fine", "{{ $values.B.Value | humanizePercentage }} on {{ $labels.instance }}");
        assertThat(at(grafanaRule("LossDoctorDown"), "annotations", "summary"))
                .isEqualTo("Loss Doctor {{ with index $labels \"instance\" }}instance {{ . }} {{ end }}is down");
    }

    @Test
    void contactPointsHaveGrafanasProvisioningStructure() {
        Object file = DeployFiles.yaml(GrafanaAlertingGenerator.CONTACT_POINTS);
        assertThat(at(file, "apiVersion")).isEqualTo(1);
        Set<String> names = new HashSet<>();
        Set<String> uids = new HashSet<>();
        Map<String, Map<String, Object>> byType = new LinkedHashMap<>();
        for (Object c : list(at(file, "contactPoints"))) {
            Map<String, Object> cp = map(c);
            assertThat(cp.get("orgId")).isEqualTo(1);
            assertThat(names.add((String) cp.get("name"))).as("contact point name unique").isTrue();
            for (Object r : list(cp.get("receivers"))) {
                Map<String, Object> receiver = map(r);
                assertThat((String) receiver.get("uid")).matches(UID);
                assertThat(uids.add((String) receiver.get("uid"))).as("receiver uid unique").isTrue();
                byType.put((String) receiver.get("type"), map(receiver.get("settings")));
                assertThat(receiver.get("settings").toString()).as("Grafana expands $VAR in provisioned settings")
                        .doesNotContain("$");
            }
        }
        assertThat(byType).containsOnlyKeys("webhook", "email");
        assertThat(byType.get("webhook").get("url")).isEqualTo("http://diagnosis-consumer:8090/alertmanager");
        assertThat(byType.get("webhook").get("httpMethod")).isEqualTo("POST");
        assertThat((String) byType.get("email").get("addresses")).as("a placeholder the operator replaces")
                .endsWith("@example.com");
        // the webhook is the consumer's Alertmanager endpoint, where compose's diagnosis-consumer listens
        String listen = (String) at(DeployFiles.yaml(ROOT.resolve("docker-compose.yml")), "services", "diagnosis-consumer",
                "environment", "LISTEN");
        assertThat((String) byType.get("webhook").get("url"))
                .startsWith("http://diagnosis-consumer:" + listen.substring(listen.lastIndexOf(':') + 1) + "/");
    }

    /**
     * Grafana's webhook body (its documented fields: Alertmanager's, plus orgId, values, dashboardURL,
     * title, state, message...) POSTed to the example consumer's endpoint the contact point names: the
     * consumer answers 200 and logs the alert with its run, severity and summary.
     */
    @Test
    void theExampleConsumerReadsGrafanasWebhookBody() {
        assumeTrue(Files.isExecutable(DeployFiles.PYTHON), "/usr/bin/python3 is not installed");
        String path = java.net.URI.create((String) at(DeployFiles.yaml(GrafanaAlertingGenerator.CONTACT_POINTS),
                "contactPoints", 0, "receivers", 0, "settings", "url")).getPath();
        String script = String.join("\n",
                "import json, logging, urllib.request",
                "import diagnosis_consumer as d",
                "lines = []",
                "class Keep(logging.Handler):",
                "    def emit(self, record): lines.append(record.getMessage())",
                "d.LOG.addHandler(Keep())",
                "body = {'receiver': 'loss-doctor-webhook', 'status': 'firing', 'orgId': 1, 'alerts': [{'status': 'firing',",
                "  'labels': {'alertname': 'RunDiverging', 'grafana_folder': 'Loss Doctor', 'job': 'loss-doctor',",
                "             'instance': 'loss-doctor:8080', 'run_id': 'r1', 'diagnosis': 'diverging', 'severity': 'critical'},",
                "  'annotations': {'summary': 'Training run r1 is diverging', 'run_url': 'http://loss-doctor:8080/runs/r1'},",
                "  'startsAt': '2026-12-02T18:00:00Z', 'endsAt': '0001-01-01T00:00:00Z', 'values': {'B': 1, 'C': 1, 'D': 1, 'E': 12},",
                "  'generatorURL': 'http://localhost:3000/alerting/grafana/loss-doctor-rundiverging/view', 'fingerprint': '1a2b',",
                "  'silenceURL': '', 'dashboardURL': 'http://localhost:3000/d/loss-doctor', 'panelURL': '', 'imageURL': ''}],",
                "  'groupLabels': {'alertname': 'RunDiverging', 'grafana_folder': 'Loss Doctor', 'run_id': 'r1'},",
                "  'commonLabels': {}, 'commonAnnotations': {}, 'externalURL': 'http://localhost:3000/', 'version': '1',",
                "  'groupKey': 'k', 'truncatedAlerts': 0, 'title': '[FIRING:1] RunDiverging', 'state': 'alerting', 'message': ''}",
                "server = d.start_http('127.0.0.1', 0)",
                "url = 'http://127.0.0.1:%d" + path + "' % server.server_address[1]",
                "request = urllib.request.Request(url, data=json.dumps(body).encode(), method='POST',",
                "                                 headers={'Content-Type': 'application/json'})",
                "with urllib.request.urlopen(request, timeout=10) as response:",
                "    print('status', response.status)",
                "server.shutdown()",
                "print('received', [kind for kind, _ in server.received])",
                "print('\\n'.join(lines))");
        var result = run(ROOT.resolve("examples/diagnosis-consumer"), TIMEOUT, List.of(DeployFiles.PYTHON.toString(), "-c", script))
                .assertSuccess("the example consumer receiving Grafana's webhook");
        assertThat(result.output()).contains("status 200").contains("received ['alertmanager']")
                .contains("alert firing RunDiverging run=r1 [critical]: Training run r1 is diverging");
    }

    static Set<String> contactPointNames() {
        Set<String> names = new TreeSet<>();
        list(at(DeployFiles.yaml(GrafanaAlertingGenerator.CONTACT_POINTS), "contactPoints"))
                .forEach(c -> names.add((String) map(c).get("name")));
        return names;
    }

    static Set<String> provisionedDatasourceUids() {
        Set<String> uids = new TreeSet<>();
        list(at(DeployFiles.yaml(GrafanaAlertingGenerator.DATASOURCES), "datasources"))
                .forEach(d -> uids.add((String) map(d).get("uid")));
        return uids;
    }

    @Test
    void durationsParseLikeGrafanaAndIntervalsRoundUpToItsBaseInterval() {
        assertThat(GrafanaAlertingGenerator.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GrafanaAlertingGenerator.parseDuration("0m")).isZero();
        assertThatThrownBy(() -> GrafanaAlertingGenerator.parseDuration("5 minutes")).isInstanceOf(IllegalArgumentException.class);
        assertThat(GrafanaAlertingGenerator.grafanaInterval("15s")).isEqualTo("20s");
        assertThat(GrafanaAlertingGenerator.grafanaInterval("1m")).isEqualTo("60s");
        assertThat(GrafanaAlertingGenerator.grafanaInterval("1s")).isEqualTo("10s");
    }

    // --- the PromQL, on a real Prometheus ------------------------------------------------------------

    @Test
    void everyQueryIsValidPromQlForPromtool(@TempDir Path tmp) throws IOException {
        PromtoolRulesTest.assumePromtool();
        List<Object> rules = new ArrayList<>();
        for (String[] q : promQueries()) {
            rules.add(Map.of("alert", q[0] + "_" + q[1], "expr", q[2]));
        }
        Path file = tmp.resolve("grafana-queries.rules.yml");
        Files.writeString(file, DeployFiles.dumpYaml(Map.of("groups", List.of(Map.of("name", "grafana", "rules", rules)))));
        var result = run(ROOT, TIMEOUT, List.of(PROMTOOL.toString(), "check", "rules", file.toString()))
                .assertSuccess("promtool check rules on the Grafana rules' queries");
        assertThat(result.output()).contains("SUCCESS: " + rules.size() + " rules found");
        assertThat(rules.size()).as("A of every alert, and E of those whose Prometheus text queries the epoch")
                .isEqualTo(PromtoolRulesTest.alertNames().size() + queryingEpoch());
    }

    /**
     * Grafana hands an alert the values of the other queries whose labels its own include. On a real
     * Prometheus: each run alert's query A returns the diverging (etc.) run, and query E returns that
     * run's epoch with labels that are a subset of A's, so the description can say "at epoch 12".
     */
    @Test
    void theEpochQueryReturnsTheRunsEpochWithLabelsTheAlertIncludes(@TempDir Path tmp) throws IOException {
        PromtoolRulesTest.assumePromtool();
        String common = "job=\"loss-doctor\",instance=\"loss-doctor:8080\"";
        List<Object> tests = new ArrayList<>();
        int runAlerts = 0;
        for (Map<String, Object> rule : grafanaRules()) {
            boolean hasEpoch = list(rule.get("data")).stream().anyMatch(q -> "E".equals(map(q).get("refId")));
            if (!hasEpoch) {
                continue;
            }
            runAlerts++;
            String a = (String) at(query(rule, "A"), "model", "expr");
            Matcher diagnosis = Pattern.compile("diagnosis=\"([a-z_]+)\"").matcher(a);
            assertThat(diagnosis.find()).as(rule.get("title") + " selects one diagnosis").isTrue();
            String severity = (String) at(rule, "labels", "severity");
            String alertLabels = "{" + common + ",run_id=\"r1\",diagnosis=\"" + diagnosis.group(1) + "\",severity=\"" + severity + "\"}";
            String epochLabels = "{" + common + ",run_id=\"r1\"}";
            Map<String, Object> test = new LinkedHashMap<>();
            test.put("interval", "1m");
            test.put("input_series", List.of(
                    Map.of("series", "lossdoctor_run_diagnosis" + alertLabels, "values", "1 1 1"),
                    Map.of("series", "lossdoctor_run_diagnosis{" + common + ",run_id=\"r2\",diagnosis=\"learning\",severity=\"info\"}",
                            "values", "1 1 1"),
                    Map.of("series", "lossdoctor_run_epoch" + epochLabels, "values", "10 11 12"),
                    Map.of("series", "lossdoctor_run_epoch{" + common + ",run_id=\"r2\"}", "values", "3 4 5")));
            test.put("promql_expr_test", List.of(
                    Map.of("expr", a, "eval_time", "2m",
                            "exp_samples", List.of(Map.of("labels", "lossdoctor_run_diagnosis" + alertLabels, "value", 1))),
                    Map.of("expr", at(query(rule, "E"), "model", "expr"), "eval_time", "2m",
                            "exp_samples", List.of(Map.of("labels", epochLabels, "value", 12),
                                    Map.of("labels", "{" + common + ",run_id=\"r2\"}", "value", 5)))));
            tests.add(test);
            assertThat(labelSet(alertLabels)).as(rule.get("title") + ": E's labels are a subset of the alert's")
                    .containsAllEntriesOf(labelSet(epochLabels));
        }
        assertThat(runAlerts).isEqualTo(queryingEpoch()).isEqualTo(4);
        Path rules = tmp.resolve("empty.rules.yml");
        Files.writeString(rules, "groups: []\n");
        Path file = tmp.resolve("epoch.test.yml");
        Map<String, Object> testFile = new LinkedHashMap<>();
        testFile.put("rule_files", List.of(rules.toString()));
        testFile.put("evaluation_interval", "1m");
        testFile.put("tests", tests);
        Files.writeString(file, DeployFiles.dumpYaml(testFile));
        var result = run(tmp, TIMEOUT, List.of(PROMTOOL.toString(), "test", "rules", file.toString()))
                .assertSuccess("promtool test rules on the run alerts' queries A and E");
        assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    /** Prometheus rules whose annotations query the run's epoch: Grafana's run alerts with a query E. */
    private static long queryingEpoch() {
        return PromtoolRulesTest.rules().stream()
                .filter(r -> map(r.get("annotations")).values().stream().anyMatch(t -> ((String) t).contains("lossdoctor_run_epoch")))
                .count();
    }

    private static Map<String, String> labelSet(String selector) {
        Map<String, String> labels = new LinkedHashMap<>();
        Matcher m = Pattern.compile("([a-z_]+)=\"([^\"]*)\"").matcher(selector);
        while (m.find()) {
            labels.put(m.group(1), m.group(2));
        }
        return labels;
    }

    // --- how compose and Kubernetes load the files ---------------------------------------------------

    @Test
    void composeMountsTheAlertingFilesWhereGrafanaProvisionsFrom() {
        List<Object> volumes = list(at(DeployFiles.yaml(ROOT.resolve("docker-compose.yml")), "services", "grafana", "volumes"));
        String mount = volumes.stream().map(String::valueOf)
                .filter(v -> v.split(":")[1].equals("/etc/grafana/provisioning")).findFirst()
                .orElseThrow(() -> new AssertionError("grafana mounts nothing at /etc/grafana/provisioning"));
        Path source = ROOT.resolve(mount.split(":")[0]).normalize();
        assertThat(GrafanaAlertingGenerator.RULES_OUT.startsWith(source.resolve("alerting"))).isTrue();
        assertThat(GrafanaAlertingGenerator.CONTACT_POINTS).isRegularFile();
    }

    @Test
    void kustomizationMakesConfigMapsOfTheGrafanaFilesForItsSidecars() throws IOException {
        Object kustomization = DeployFiles.yaml(ROOT.resolve("deploy/k8s/kustomization.yaml"));
        Map<String, Map<String, Object>> generators = new LinkedHashMap<>();
        list(at(kustomization, "configMapGenerator")).forEach(g -> generators.put((String) map(g).get("name"), map(g)));
        assertThat(generators).containsOnlyKeys("loss-doctor-grafana-alerting", "loss-doctor-grafana-dashboard");
        assertThat(list(at(generators.get("loss-doctor-grafana-alerting"), "files")))
                .containsExactly("grafana/loss-doctor-rules.yml", "grafana/contact-points.yml");
        assertThat(at(generators.get("loss-doctor-grafana-alerting"), "options", "labels", "grafana_alert")).isEqualTo("1");
        assertThat(list(at(generators.get("loss-doctor-grafana-dashboard"), "files"))).containsExactly("grafana/loss-doctor.json");
        assertThat(at(generators.get("loss-doctor-grafana-dashboard"), "options", "labels", "grafana_dashboard")).isEqualTo("1");
        for (Map<String, Object> g : generators.values()) {
            assertThat(at(g, "options", "disableNameSuffixHash")).isEqualTo(true);
            for (Object f : list(g.get("files"))) {
                Path copy = ROOT.resolve("deploy/k8s").resolve((String) f);
                Path original = GrafanaAlertingGenerator.COPIED.stream()
                        .filter(p -> p.getFileName().equals(copy.getFileName())).findFirst().orElseThrow();
                assertThat(Files.readString(copy)).as(f + " is a copy of " + ROOT.relativize(original)
                        + ": run " + GrafanaAlertingGenerator.REGENERATE).isEqualTo(Files.readString(original));
            }
        }
    }

    /** kubectl's own kustomize builds the ConfigMaps with the files' exact contents. */
    @Test
    void kubectlKustomizeBuildsTheConfigMaps(@TempDir Path tmp) throws IOException {
        Path kubectl = Path.of("/usr/bin/kubectl");
        assumeTrue(Files.isExecutable(kubectl), "/usr/bin/kubectl is not installed: the static check above still runs");
        var result = run(ROOT, TIMEOUT, List.of(kubectl.toString(), "kustomize", "deploy/k8s")).assertSuccess("kubectl kustomize");
        Path out = tmp.resolve("built.yaml");
        Files.writeString(out, result.output());
        Map<String, Map<String, Object>> configMaps = new LinkedHashMap<>();
        for (Object doc : DeployFiles.yamlDocuments(out)) {
            if ("ConfigMap".equals(map(doc).get("kind"))) {
                configMaps.put((String) at(doc, "metadata", "name"), map(doc));
            }
        }
        Map<String, Object> alerting = configMaps.get("loss-doctor-grafana-alerting");
        assertThat(alerting).as("ConfigMap loss-doctor-grafana-alerting").isNotNull();
        assertThat(at(alerting, "metadata", "namespace")).isEqualTo("loss-doctor");
        assertThat(at(alerting, "metadata", "labels", "grafana_alert")).isEqualTo("1");
        assertThat(at(alerting, "data", "loss-doctor-rules.yml")).isEqualTo(Files.readString(GrafanaAlertingGenerator.RULES_OUT));
        assertThat(at(alerting, "data", "contact-points.yml")).isEqualTo(Files.readString(GrafanaAlertingGenerator.CONTACT_POINTS));
        Map<String, Object> dashboard = configMaps.get("loss-doctor-grafana-dashboard");
        assertThat(at(dashboard, "metadata", "labels", "grafana_dashboard")).isEqualTo("1");
        assertThat(at(dashboard, "data", "loss-doctor.json")).isEqualTo(Files.readString(DeployFiles.DASHBOARD));
    }
}
