package dev.lossdoctor.chart;

import static dev.lossdoctor.chart.Markup.esc;

import dev.lossdoctor.core.RunStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service's page at {@code /}: the live runs, most severe first, each with its chart (from the
 * status' window) and advice. It refreshes itself: a few lines of script fetch the page again every
 * few seconds and swap the runs in place (keeping the scroll position); without script, a meta
 * refresh.
 */
public final class LivePage {

    /** Charts drawn on the page; the rest of the runs are listed only (they are the least severe). */
    public static final int MAX_CHARTS = 60;
    public static final int REFRESH_SECONDS = 5;

    private static final String CSS = HtmlReport.CSS + """
            .live-note{color:#666;font-size:12px}
            .links{font-size:12px;font-weight:400}
            """;

    private static final String SCRIPT = """
            <script>
            setInterval(async () => {
              try {
                const r = await fetch(location.pathname, {cache: 'no-store'});
                if (!r.ok) return;
                const next = new DOMParser().parseFromString(await r.text(), 'text/html');
                document.querySelector('main').replaceWith(next.querySelector('main'));
                document.title = next.title;
              } catch (e) { /* the service is restarting: try again next time */ }
            }, %d000);
            </script>
            """.formatted(REFRESH_SECONDS);

    private LivePage() {
    }

    /** The page for these runs (any order: they are sorted by severity, then most recently updated). */
    public static String render(List<RunStatus> runs) {
        List<RunStatus> ordered = new ArrayList<>(runs);
        ordered.sort(Comparator.comparingInt((RunStatus s) -> -s.severity().ordinal())
                .thenComparing(s -> s.updated() == null ? 0L : -s.updated().toEpochMilli())
                .thenComparing(RunStatus::runId));
        StringBuilder b = new StringBuilder(8192 + ordered.size() * 6000);
        head(b, ordered.size() + (ordered.size() == 1 ? " live run" : " live runs"));
        b.append("<main><p class=\"meta\">").append(String.format("%,d", ordered.size()))
                .append(ordered.size() == 1 ? " run" : " runs").append(", most severe first. Refreshes every ")
                .append(REFRESH_SECONDS).append(" s.</p>");
        counts(b, ordered);
        if (ordered.isEmpty()) {
            b.append("<p>No runs yet: publish metrics to the training-metrics topic.</p>");
        } else {
            table(b, ordered);
            for (int i = 0; i < Math.min(ordered.size(), MAX_CHARTS); i++) {
                card(b, ordered.get(i), i);
            }
            if (ordered.size() > MAX_CHARTS) {
                b.append("<p class=\"live-note\">Charts for the ").append(MAX_CHARTS).append(" most severe runs; the others are at ")
                        .append("<code>/runs/{run_id}/chart.svg</code>.</p>");
            }
        }
        b.append("</main></div>").append(SCRIPT).append("</body></html>\n");
        return b.toString();
    }

    /** What {@code /} shows while the service can't answer yet; it keeps trying. */
    public static String unavailable(String why) {
        StringBuilder b = new StringBuilder();
        head(b, "starting");
        b.append("<main><p class=\"meta\">The service can't list its runs yet: ").append(esc(why))
                .append(". This page refreshes by itself.</p></main></div>").append(SCRIPT).append("</body></html>\n");
        return b.toString();
    }

    private static void head(StringBuilder b, String title) {
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<noscript><meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS * 2).append("\"></noscript>")
                .append("<title>Loss Doctor: ").append(esc(title)).append("</title><style>").append(CSS)
                .append("</style></head><body><div class=\"wrap\"><header id=\"top\"><h1>Loss Doctor \u00B7 live runs</h1></header>");
    }

    private static void counts(StringBuilder b, List<RunStatus> ordered) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, String> severity = new LinkedHashMap<>();
        for (RunStatus s : ordered) {
            counts.computeIfAbsent(s.diagnosis().code(), k -> new int[1])[0]++;
            severity.put(s.diagnosis().code(), s.severity().code());
        }
        b.append("<ul class=\"counts\">");
        counts.forEach((code, n) -> b.append("<li><span class=\"badge ").append(severity.get(code)).append("\">")
                .append(code).append(' ').append(n[0]).append("</span></li>"));
        b.append("</ul>");
    }

    private static void table(StringBuilder b, List<RunStatus> ordered) {
        b.append("<table class=\"summary\"><thead><tr><th>run</th><th>diagnosis</th><th>since</th><th>at</th>")
                .append("<th>train loss</th><th>val loss</th><th>advice</th></tr></thead><tbody>");
        for (int i = 0; i < ordered.size(); i++) {
            RunStatus s = ordered.get(i);
            b.append("<tr class=\"").append(s.severity().code()).append("\"><td class=\"run\">");
            if (i < MAX_CHARTS) {
                b.append("<a href=\"#").append(anchor(i)).append("\">").append(esc(s.runId())).append("</a>");
            } else {
                b.append("<a href=\"").append(chartPath(s.runId())).append("\">").append(esc(s.runId())).append("</a>");
            }
            b.append("</td><td>");
            badge(b, s);
            b.append("</td><td class=\"num\">").append(s.sinceEpoch() == null ? "" : "epoch " + s.sinceEpoch())
                    .append("</td><td class=\"num\">").append(at(s)).append("</td><td class=\"num\">").append(value(s.trainLoss()))
                    .append("</td><td class=\"num\">").append(value(s.valLoss())).append("</td><td>")
                    .append(s.recommendations() == null || s.recommendations().isEmpty() ? "" : esc(s.recommendations().get(0)))
                    .append("</td></tr>");
        }
        b.append("</tbody></table>");
    }

    private static void card(StringBuilder b, RunStatus s, int i) {
        String id = anchor(i);
        b.append("<section class=\"run ").append(s.severity().code()).append("\" id=\"").append(id).append("\"><h2><a class=\"id\" href=\"#")
                .append(id).append("\">").append(esc(s.runId())).append("</a> ");
        badge(b, s);
        if (s.sinceEpoch() != null) {
            b.append(" <span class=\"since\">since epoch ").append(s.sinceEpoch()).append("</span>");
        }
        if (s.finished()) {
            b.append(" <span class=\"since\">(finished)</span>");
        }
        b.append("<span class=\"up links\"><a href=\"").append(chartPath(s.runId())).append("\">chart.svg</a> \u00B7 <a href=\"")
                .append(runPath(s.runId())).append("\">json</a></span></h2><div class=\"body\">");
        b.append(ChartSvg.render(ChartSvg.fromStatus(s), false));
        b.append("<div class=\"advice\"><p class=\"said\">").append(esc(s.summary())).append("</p>");
        if (s.recommendations() != null && !s.recommendations().isEmpty()) {
            b.append("<ul class=\"recs\">");
            s.recommendations().forEach(r -> b.append("<li>").append(esc(r)).append("</li>"));
            b.append("</ul>");
        }
        b.append("<p class=\"live-note\">").append(s.points()).append(" points");
        if (s.curve() != null && s.curve().size() < s.points()) {
            b.append(", the last ").append(s.curve().size()).append(" drawn");
        }
        if (s.updated() != null) {
            b.append("; updated ").append(s.updated());
        }
        b.append("</p></div></div></section>");
    }

    private static void badge(StringBuilder b, RunStatus s) {
        b.append("<span class=\"badge ").append(s.severity().code()).append("\" title=\"").append(esc(s.summary())).append("\">")
                .append(s.diagnosis().code()).append("</span>");
    }

    private static String at(RunStatus s) {
        return s.epoch() != null ? "epoch " + s.epoch() : s.step() != null ? "step " + s.step() : "";
    }

    private static String value(Double v) {
        return v == null ? "" : Scale.value(v);
    }

    static String anchor(int i) {
        return "run-" + (i + 1);
    }

    /** A run id as one URL path segment ({@code /} included, as %2F). */
    static String segment(String runId) {
        return URLEncoder.encode(runId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String chartPath(String runId) {
        return "/runs/" + esc(segment(runId)) + "/chart.svg";
    }

    static String runPath(String runId) {
        return "/runs/" + esc(segment(runId));
    }
}
