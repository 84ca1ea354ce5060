package dev.lossdoctor.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads (enough of PromQL for our dashboards and rules):
 * string literals, label matchers, range selectors and grouping clauses are taken out, and an
 * identifier that isn't a function, an aggregation or a keyword is a metric name.
 */
final class PromQl {

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "atan2", "inf", "nan");
    /** Metrics Prometheus makes itself rather than scraping them from the service. */
    static final Set<String> PROMETHEUS_OWN = Set.of("up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds",
            "scrape_samples_scraped");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)");

    private PromQl() {}

    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher lv = LABEL_VALUES.matcher(expr); // Grafana's template query function
        while (lv.find()) {
            names.add(lv.group(1));
        }
        String e = LABEL_VALUES.matcher(expr).find() ? "" : expr;
        e = STRING.matcher(e).replaceAll(" ");
        e = GRAFANA_VARIABLE.matcher(e).replaceAll(" ");
        e = LABEL_MATCHERS.matcher(e).replaceAll(" ");
        e = RANGE.matcher(e).replaceAll(" ");
        e = GROUPING.matcher(e).replaceAll(" ");
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String word = m.group();
            int next = m.end();
            while (next < e.length() && Character.isWhitespace(e.charAt(next))) {
                next++;
            }
            boolean isCall = next < e.length() && e.charAt(next) == '(';
            boolean partOfNumber = m.start() > 0 && (Character.isDigit(e.charAt(m.start() - 1)) || e.charAt(m.start() - 1) == '.');
            if (!isCall && !partOfNumber && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }
}
