package dev.lossdoctor.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Writes Grafana-managed alert rules (Grafana's alerting file provisioning format) from the one
 * source of the alerts, {@code deploy/prometheus/rules/loss-doctor.rules.yml}, and copies the Grafana
 * files into {@code deploy/k8s/grafana/} for kustomize (which reads only below its own directory).
 *
 * <p>Each Prometheus alert becomes one Grafana rule with the same PromQL, {@code for}, labels and
 * advice. Its queries mirror Prometheus' semantics the way Grafana's own Prometheus-rule converter
 * does: A is the rule's expression (instant), B reduces it to the value ({@code $value} in Prometheus),
 * C is 1 for every series A returns whatever its value (a Prometheus alert fires for any returned
 * series, also a 0 such as {@code up == 0}), D is the threshold C &gt; 0 and the condition. Run alerts whose
 * text gives the epoch get E, the run's epoch, because Grafana's templates cannot {@code query} as
 * Prometheus' can; and a label tested for presence is read with {@code index}, because Grafana's
 * templates fail on a missing label where Prometheus' print nothing.
 * Notification timing and grouping come from Alertmanager's route in
 * {@code deploy/alertmanager/alertmanager.yml}, so both paths notify alike.
 *
 * <pre>
 *   deploy/grafana/generate-alerting.sh [--check]
 * </pre>
 * (which compiles the tests and runs this class's {@code main} on the test class path).
 *
 * {@code GrafanaAlertingTest} fails, saying this, when a committed file is out of date.
 */
public final class GrafanaAlertingGenerator {

    static final Path GRAFANA = DeployFiles.ROOT.resolve("deploy/grafana");
    static final Path ALERTING = GRAFANA.resolve("provisioning/alerting");
    static final Path RULES_OUT = ALERTING.resolve("loss-doctor-rules.yml");
    static final Path CONTACT_POINTS = ALERTING.resolve("contact-points.yml");
    static final Path DATASOURCES = GRAFANA.resolve("provisioning/datasources/prometheus.yml");
    static final Path ALERTMANAGER = DeployFiles.ROOT.resolve("deploy/alertmanager/alertmanager.yml");
    static final Path PROMETHEUS = DeployFiles.ROOT.resolve("deploy/prometheus/prometheus.yml");
    /** kustomize copies: its configMapGenerator may only read files below deploy/k8s. */
    static final Path K8S_COPIES = DeployFiles.ROOT.resolve("deploy/k8s/grafana");
    static final List<Path> COPIED = List.of(RULES_OUT, CONTACT_POINTS, DeployFiles.DASHBOARD);

    static final String REGENERATE = "deploy/grafana/generate-alerting.sh";

    static final String FOLDER = "Loss Doctor";
    static final String DASHBOARD_UID = "loss-doctor";
    static final String EXPR_DATASOURCE = "__expr__";
    /** Grafana evaluates rule groups on multiples of its 10s base interval. */
    static final long GRAFANA_BASE_INTERVAL_SECONDS = 10;
    /** How far back the instant queries may look (what Grafana's own converter uses). */
    static final int QUERY_RANGE_SECONDS = 600;

    /** The dashboard panel each alert links to, by the metric its expression reads. */
    static final Map<String, String> PANEL_BY_METRIC = Map.of(
            "lossdoctor_run_diagnosis", "Runs with problems and what to do",
            "up", "Instances up",
            "lossdoctor_streams_running", "Streams running",
            "lossdoctor_events_total", "Dead-letter rate",
            "kafka_consumer_fetch_manager_records_lag_max", "Consumer lag (records)");

    /**
     * Prometheus' "{{ with printf "metric{run_id=%q}" $labels.run_id | query }} at epoch {{ . | first | value
     * | printf "%.0f" }}{{ end }}": Grafana has no query function, so the metric becomes query E and the
     * text reads E's value, which Grafana hands to the alert whose labels include E's.
     */
    private static final Pattern RUN_QUERY = Pattern.compile(
            "\\{\\{ with printf \"([a-zA-Z_:][a-zA-Z0-9_:]*)\\{run_id=%q}\" \\$labels\\.run_id \\| query }}"
                    + "(.*?)\\{\\{ \\. \\| first \\| value \\| printf \"%\\.0f\" }}\\{\\{ end }}",
            Pattern.DOTALL);
    private static final Pattern VALUE = Pattern.compile("\\$value\\b(?!s)");
    private static final Pattern OPTIONAL_LABEL = Pattern.compile("\\b(with|if) \\$labels\\.([a-zA-Z_][a-zA-Z0-9_]*)");
    /** Prometheus template functions Grafana lacks (its query returns nothing; first and value need it). */
    private static final Pattern PROMETHEUS_ONLY = Pattern.compile("\\|\\s*(query|first|value|sortByLabel)\\b");

    private GrafanaAlertingGenerator() {}

    /** The Grafana alert rules file, as committed. */
    static String render() {
        Object rules = DeployFiles.yaml(DeployFiles.RULES);
        String datasourceUid = prometheusDatasourceUid();
        Map<String, Object> routing = routing();
        Map<String, Integer> panels = panelIds();
        String defaultInterval = grafanaInterval(String.valueOf(DeployFiles.at(DeployFiles.yaml(PROMETHEUS),
                "global", "evaluation_interval")));

        List<Object> groups = new ArrayList<>();
        for (Object g : DeployFiles.list(DeployFiles.at(rules, "groups"))) {
            Map<String, Object> group = DeployFiles.map(g);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("orgId", 1);
            out.put("name", group.get("name"));
            out.put("folder", FOLDER);
            out.put("interval", group.get("interval") == null ? defaultInterval : grafanaInterval((String) group.get("interval")));
            List<Object> outRules = new ArrayList<>();
            for (Object r : DeployFiles.list(group.get("rules"))) {
                outRules.add(rule(DeployFiles.map(r), datasourceUid, routing, panels));
            }
            out.put("rules", outRules);
            groups.add(out);
        }
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("apiVersion", 1);
        file.put("groups", groups);
        return header() + dump(file);
    }

    private static String header() {
        return "# GENERATED from deploy/prometheus/rules/loss-doctor.rules.yml by\n"
                + "# src/test/java/dev/lossdoctor/deploy/GrafanaAlertingGenerator.java. Do not edit: edit the rules file, then\n"
                + "#   " + REGENERATE + "\n"
                + "# (GrafanaAlertingTest fails when this file and the rules file disagree).\n"
                + "#\n"
                + "# Grafana-managed alert rules (file provisioning, /etc/grafana/provisioning/alerting). Use them\n"
                + "# INSTEAD of Prometheus + Alertmanager paging, not with it: docs/deploy.md, \"Grafana alerting\".\n";
    }

    private static Map<String, Object> rule(Map<String, Object> prom, String datasourceUid, Map<String, Object> routing,
            Map<String, Integer> panels) {
        String alert = (String) prom.get("alert");
        String expr = ((String) prom.get("expr")).strip();
        @SuppressWarnings("unchecked")
        Map<String, String> labels = prom.get("labels") == null ? Map.of() : (Map<String, String>) prom.get("labels");
        String severity = labels.get("severity");

        Map<String, String> annotations = new LinkedHashMap<>();
        String epochMetric = null;
        @SuppressWarnings("unchecked")
        Map<String, String> promAnnotations = (Map<String, String>) prom.get("annotations");
        for (Map.Entry<String, String> a : promAnnotations.entrySet()) {
            String text = a.getValue();
            Matcher m = RUN_QUERY.matcher(text);
            StringBuilder translated = new StringBuilder();
            while (m.find()) {
                if (epochMetric != null && !epochMetric.equals(m.group(1))) {
                    throw new IllegalStateException(alert + ": templates query two metrics; only one becomes query E");
                }
                epochMetric = m.group(1);
                m.appendReplacement(translated, Matcher.quoteReplacement(
                        "{{ with index $values \"E\" }}{{ if gt .Value 0.0 }}" + m.group(2)
                                + "{{ printf \"%.0f\" .Value }}{{ end }}{{ end }}"));
            }
            m.appendTail(translated);
            text = VALUE.matcher(translated.toString()).replaceAll(Matcher.quoteReplacement("$values.B.Value"));
            // Grafana expands with missingkey=error: $labels.x fails where Prometheus gives "", so a label
            // tested for presence is read with index, which gives "" as Prometheus does
            text = OPTIONAL_LABEL.matcher(text).replaceAll("$1 index \\$labels \"$2\"");
            if (PROMETHEUS_ONLY.matcher(text).find() || text.contains("${")) {
                throw new IllegalStateException(alert + "." + a.getKey() + ": a template Grafana can't run: " + text);
            }
            annotations.put(a.getKey(), text);
        }

        String metric = PromQl.metricNames(expr).stream().filter(PANEL_BY_METRIC::containsKey).findFirst()
                .orElseThrow(() -> new IllegalStateException(alert + ": no dashboard panel for " + expr
                        + " (add its metric to PANEL_BY_METRIC)"));
        Integer panelId = panels.get(PANEL_BY_METRIC.get(metric));
        if (panelId == null) {
            throw new IllegalStateException("the dashboard has no panel \"" + PANEL_BY_METRIC.get(metric) + "\"");
        }
        if (promAnnotations.values().stream().anyMatch(t -> t.contains("$labels.run_id"))) {
            // a run alert: the run's own view of the dashboard, its curves and diagnosis timeline
            annotations.put("dashboard_url", "{{ externalURL }}d/" + DASHBOARD_UID + "?var-run_id={{ $labels.run_id | urlquery }}");
        }

        List<Object> data = new ArrayList<>();
        data.add(promQuery("A", expr, datasourceUid));
        data.add(expression("B", Map.of("type", "reduce", "expression", "A", "reducer", "last")));
        data.add(expression("C", Map.of("type", "math", "expression", "is_number($B) || is_nan($B) || is_inf($B)")));
        Map<String, Object> evaluator = new LinkedHashMap<>();
        evaluator.put("type", "gt");
        evaluator.put("params", List.of(0));
        data.add(expression("D", Map.of("type", "threshold", "expression", "C",
                "conditions", List.of(Map.of("evaluator", evaluator)))));
        if (epochMetric != null) {
            // aggregated so its labels (job, instance, run_id) are a subset of the alert's whatever Grafana
            // does with __name__: Grafana gives a rule's alert the values whose labels match or include
            data.add(promQuery("E", "max by (job, instance, run_id) (" + epochMetric + ")", datasourceUid));
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uid", uid(alert));
        out.put("title", alert);
        out.put("condition", "D");
        out.put("data", data);
        out.put("dashboardUid", DASHBOARD_UID);
        out.put("panelId", panelId);
        // no series means nothing is wrong, as in Prometheus (LossDoctorDown's absent() covers a missing target)
        out.put("noDataState", "OK");
        out.put("execErrState", "Error");
        out.put("for", prom.get("for") == null ? "0s" : prom.get("for"));
        out.put("annotations", annotations);
        out.put("labels", new LinkedHashMap<>(labels));
        out.put("isPaused", false);
        out.put("notification_settings", notificationSettings(routing, severity));
        return out;
    }

    static String uid(String alert) {
        return "loss-doctor-" + alert.toLowerCase(java.util.Locale.ROOT);
    }

    private static Map<String, Object> promQuery(String refId, String expr, String datasourceUid) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("refId", refId);
        model.put("datasource", datasource("prometheus", datasourceUid));
        model.put("expr", expr);
        model.put("instant", true);
        model.put("range", false);
        model.put("intervalMs", 1000);
        model.put("maxDataPoints", 43200);
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("refId", refId);
        Map<String, Object> range = new LinkedHashMap<>();
        range.put("from", QUERY_RANGE_SECONDS);
        range.put("to", 0);
        query.put("relativeTimeRange", range);
        query.put("datasourceUid", datasourceUid);
        query.put("model", model);
        return query;
    }

    private static Map<String, Object> expression(String refId, Map<String, Object> fields) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("refId", refId);
        model.put("datasource", datasource(EXPR_DATASOURCE, EXPR_DATASOURCE));
        model.put("type", fields.get("type"));
        model.put("expression", fields.get("expression"));
        fields.forEach((k, v) -> {
            if (!k.equals("type") && !k.equals("expression")) {
                model.put(k, v);
            }
        });
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("refId", refId);
        query.put("datasourceUid", EXPR_DATASOURCE);
        query.put("model", model);
        return query;
    }

    private static Map<String, Object> datasource(String type, String uid) {
        Map<String, Object> ds = new LinkedHashMap<>();
        ds.put("type", type);
        ds.put("uid", uid);
        return ds;
    }

    /** The uid of the provisioned Prometheus data source the rules query. */
    static String prometheusDatasourceUid() {
        for (Object ds : DeployFiles.list(DeployFiles.at(DeployFiles.yaml(DATASOURCES), "datasources"))) {
            if ("prometheus".equals(DeployFiles.map(ds).get("type"))) {
                Object uid = DeployFiles.map(ds).get("uid");
                if (uid == null) {
                    throw new IllegalStateException(DATASOURCES + ": the Prometheus data source needs a fixed uid");
                }
                return (String) uid;
            }
        }
        throw new IllegalStateException(DATASOURCES + " provisions no Prometheus data source");
    }

    /**
     * Alertmanager's route: the root's receiver, grouping and timing, and a child route matching only
     * {@code severity="..."} overriding them for that severity.
     */
    static Map<String, Object> routing() {
        return DeployFiles.map(DeployFiles.at(DeployFiles.yaml(ALERTMANAGER), "route"));
    }

    static Map<String, Object> notificationSettings(Map<String, Object> route, String severity) {
        Map<String, Object> effective = new LinkedHashMap<>(route);
        effective.remove("routes");
        Object children = route.get("routes");
        if (children != null) {
            for (Object c : DeployFiles.list(children)) {
                Map<String, Object> child = DeployFiles.map(c);
                if (List.of("severity=\"" + severity + "\"").equals(child.get("matchers"))) {
                    effective.putAll(child);
                    break;
                }
            }
        }
        Map<String, Object> ns = new LinkedHashMap<>();
        ns.put("receiver", effective.get("receiver"));
        // Grafana's simplified routing wants its own folder label grouped on too
        List<Object> groupBy = new ArrayList<>(List.of("grafana_folder"));
        groupBy.addAll(DeployFiles.list(effective.get("group_by")));
        ns.put("group_by", groupBy);
        for (String key : List.of("group_wait", "group_interval", "repeat_interval")) {
            if (effective.get(key) != null) {
                ns.put(key, effective.get(key));
            }
        }
        return ns;
    }

    static Map<String, Integer> panelIds() {
        try {
            var dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readTree(DeployFiles.DASHBOARD.toFile());
            Map<String, Integer> ids = new LinkedHashMap<>();
            for (var p : GrafanaDashboardTest.panels(dashboard)) {
                ids.putIfAbsent(p.path("title").asText(), p.path("id").asInt());
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Prometheus evaluation interval rounded up to Grafana's 10s base interval. */
    static String grafanaInterval(String prometheusInterval) {
        long seconds = parseDuration(prometheusInterval).toSeconds();
        long rounded = Math.max(GRAFANA_BASE_INTERVAL_SECONDS,
                (seconds + GRAFANA_BASE_INTERVAL_SECONDS - 1) / GRAFANA_BASE_INTERVAL_SECONDS * GRAFANA_BASE_INTERVAL_SECONDS);
        return rounded + "s";
    }

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|y|w|d|h|m|s)");

    /** A Prometheus duration ("1h30m", "15s", "0m"); Grafana parses its durations the same way. */
    static Duration parseDuration(String text) {
        if (text == null || text.isEmpty() || !text.matches("(\\d+(ms|y|w|d|h|m|s))+")) {
            throw new IllegalArgumentException("not a Prometheus duration: " + text);
        }
        Duration total = Duration.ZERO;
        Matcher m = DURATION_PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                default -> Duration.ofDays(365 * n);
            });
        }
        return total;
    }

    static String dump(Object data) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(Integer.MAX_VALUE);
        options.setSplitLines(false);
        return new Yaml(new Representer(options), options).dump(data);
    }

    /** The kustomize copies of the Grafana files, by file name. */
    static Map<String, String> k8sCopies() {
        Map<String, String> copies = new LinkedHashMap<>();
        try {
            for (Path source : COPIED) {
                copies.put(source.getFileName().toString(), source.equals(RULES_OUT) ? render() : Files.readString(source));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return copies;
    }

    /** Files that differ from what this generator writes (empty when all are up to date). */
    static List<Path> outOfDate() {
        List<Path> stale = new ArrayList<>();
        try {
            if (!Files.exists(RULES_OUT) || !Files.readString(RULES_OUT).equals(render())) {
                stale.add(RULES_OUT);
            }
            for (Map.Entry<String, String> copy : k8sCopies().entrySet()) {
                Path target = K8S_COPIES.resolve(copy.getKey());
                if (!Files.exists(target) || !Files.readString(target).equals(copy.getValue())) {
                    stale.add(target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stale;
    }

    public static void main(String[] args) throws IOException {
        if (Set.of(args).contains("--check")) {
            List<Path> stale = outOfDate();
            stale.forEach(p -> System.err.println(DeployFiles.ROOT.relativize(p) + " is out of date: run " + REGENERATE));
            System.exit(stale.isEmpty() ? 0 : 1);
        }
        Files.createDirectories(ALERTING);
        Files.writeString(RULES_OUT, render());
        System.out.println("wrote " + DeployFiles.ROOT.relativize(RULES_OUT));
        Files.createDirectories(K8S_COPIES);
        for (Map.Entry<String, String> copy : k8sCopies().entrySet()) {
            Path target = K8S_COPIES.resolve(copy.getKey());
            Files.writeString(target, copy.getValue());
            System.out.println("wrote " + DeployFiles.ROOT.relativize(target));
        }
    }
}
