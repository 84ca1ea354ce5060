package dev.lossdoctor.chart;

import static dev.lossdoctor.chart.Markup.esc;

import dev.lossdoctor.chart.ChartData.Change;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.StopAdvice;
import dev.lossdoctor.core.Text;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code analyze --html} report: one self-contained HTML file (no scripts, no fonts, nothing
 * fetched). A summary table first, the most severe runs at the top, each row linking to the run's
 * section below: its chart with the advice beside it. Sections are {@code content-visibility: auto},
 * so a browser lays out and paints only the charts on screen and a file of thousands of runs opens
 * fast.
 */
public final class HtmlReport {

    /** How many diagnosis changes a section lists (the chart shows them all). */
    static final int TIMELINE_ITEMS = 12;
    static final int EVIDENCE_ITEMS = 10;

    static final String CSS = """
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#f4f5f7}
            .wrap{max-width:1440px;margin:0 auto;padding:0 16px}
            header{padding:14px 0 6px}
            h1{font-size:22px;margin:0 0 4px}
            .meta{color:#555;margin:0 0 8px}
            .cost{color:#8a4b00;margin:0 0 8px}
            .counts{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 12px;padding:0;list-style:none}
            .badge{display:inline-block;padding:0 7px;border-radius:4px;font-size:12.5px;font-weight:600;white-space:nowrap}
            .badge.info{background:#e2f2e5;color:#1d6b3f}.badge.warning{background:#fde5ad;color:#875300}
            .badge.critical{background:#f8cbc6;color:#a3161a}.badge.none{background:#e8e8e8;color:#555}
            table.summary{border-collapse:collapse;width:100%;background:#fff;font-size:13px;box-shadow:0 1px 2px #0001}
            .summary th,.summary td{padding:3px 8px;border-bottom:1px solid #eceef1;text-align:left;vertical-align:top}
            .summary thead th{position:sticky;top:0;background:#fafbfc;border-bottom:1px solid #d5d8dc;z-index:1}
            .summary td.run{min-width:9em;max-width:48em;overflow-wrap:anywhere}
            .summary td.num{text-align:right;white-space:nowrap;color:#444}
            .summary tr.critical td:first-child{box-shadow:inset 4px 0 #d62728}
            .summary tr.warning td:first-child{box-shadow:inset 4px 0 #e09a1a}
            .summary tr.info td:first-child{box-shadow:inset 4px 0 #5fb37a}
            a{color:#1558b0;text-decoration:none}a:hover{text-decoration:underline}
            main{padding:8px 0 40px}
            section.run{content-visibility:auto;contain-intrinsic-size:auto 370px;background:#fff;margin:14px 0;padding:8px 14px 10px;
             border-left:5px solid #bbb;box-shadow:0 1px 2px #0001}
            section.run.info{border-left-color:#5fb37a}section.run.warning{border-left-color:#e09a1a}
            section.run.critical{border-left-color:#d62728}
            section.run h2{font-size:15px;margin:2px 0 6px;display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
            section.run h2 .id{overflow-wrap:anywhere;color:#222}
            section.run h2 .since{font-weight:400;color:#555;font-size:13px}
            section.run h2 .up{margin-left:auto;font-weight:400;font-size:12px}
            .body{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
            .body svg{max-width:100%;height:auto;flex:0 0 auto}
            .advice{flex:1 1 320px;min-width:280px;font-size:13.5px}
            .advice .said{margin:4px 0 8px}
            .advice ul{margin:0 0 10px;padding-left:20px}
            .advice h3{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#666;margin:10px 0 3px}
            .timeline{list-style:none;margin:0;padding:0;font-size:12.5px}
            .timeline li{margin:1px 0}
            .timeline li::before{content:"";display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:6px;background:#bbb}
            .timeline li.info::before{background:#5fb37a}.timeline li.warning::before{background:#e09a1a}
            .timeline li.critical::before{background:#d62728}
            .evidence{margin:0;font-size:12px;color:#555;overflow-wrap:anywhere}
            footer{color:#777;font-size:12px;padding:0 0 24px}
            """;

    private HtmlReport() {
    }

    /** The report as one string (for tests and small files). */
    public static String render(String source, List<ReportRun> runs) {
        StringWriter w = new StringWriter();
        try {
            write(w, source, runs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * Writes the report.
     *
     * @param source what was analysed (file names), shown under the title
     */
    public static void write(Writer out, String source, List<ReportRun> runs) throws IOException {
        List<ReportRun> ordered = new ArrayList<>(runs);
        ordered.sort(Comparator.comparingInt(HtmlReport::rank)); // stable: file order within a severity
        out.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                + "<meta name=\"generator\" content=\"loss-doctor analyze\"><title>Loss Doctor report: ");
        out.write(runs.size() + (runs.size() == 1 ? " run" : " runs") + "</title><style>");
        out.write(CSS);
        out.write("</style></head><body>\n<div class=\"wrap\"><header id=\"top\"><h1>Loss Doctor report</h1><p class=\"meta\">");
        out.write(String.format("%,d", runs.size()) + (runs.size() == 1 ? " run" : " runs"));
        if (source != null && !source.isBlank()) {
            out.write(" from " + esc(source));
        }
        out.write(". Most severe first; each run links to its chart below. Hover a chart's shaded stretches and"
                + " \u25BC markers for the diagnosis and its reason.</p>\n");
        String cost = AdviceCost.of(runs).headline();
        if (cost != null) {
            out.write("<p class=\"cost\">" + esc(cost) + "</p>\n");
        }
        counts(out, ordered);
        out.write("</header>\n");
        summary(out, ordered);
        out.write("<main>\n");
        for (int i = 0; i < ordered.size(); i++) {
            section(out, ordered.get(i), anchor(i));
        }
        out.write("</main><footer>Made by loss-doctor analyze. Train loss solid, validation loss dashed; shading: "
                + "<span class=\"badge info\">info</span> <span class=\"badge warning\">warning</span> "
                + "<span class=\"badge critical\">critical</span>.</footer></div></body></html>\n");
        out.flush();
    }

    static String anchor(int i) {
        return "run-" + (i + 1);
    }

    private static int rank(ReportRun r) {
        DiagnosisEvent last = r.last();
        return last == null ? 3 : 2 - last.severity().ordinal();
    }

    private static void counts(Writer out, List<ReportRun> ordered) throws IOException {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, String> severities = new LinkedHashMap<>();
        for (ReportRun r : ordered) {
            DiagnosisEvent last = r.last();
            String code = last == null ? "no diagnosis" : last.diagnosis().code();
            counts.computeIfAbsent(code, k -> new int[1])[0]++;
            severities.put(code, last == null ? "none" : last.severity().code());
        }
        List<Map.Entry<String, int[]>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Comparator.comparingInt((Map.Entry<String, int[]> e) -> severityRank(severities.get(e.getKey())))
                .thenComparing(e -> -e.getValue()[0]));
        out.write("<ul class=\"counts\">");
        for (Map.Entry<String, int[]> e : entries) {
            out.write("<li><span class=\"badge " + severities.get(e.getKey()) + "\">" + esc(e.getKey()) + " "
                    + String.format("%,d", e.getValue()[0]) + "</span></li>");
        }
        out.write("</ul>");
    }

    private static int severityRank(String severity) {
        return switch (severity) {
            case "critical" -> 0;
            case "warning" -> 1;
            case "info" -> 2;
            default -> 3;
        };
    }

    private static void summary(Writer out, List<ReportRun> ordered) throws IOException {
        out.write("<table class=\"summary\"><thead><tr><th>run</th><th>diagnosis</th><th>since</th>"
                + "<th>best val</th><th>advice</th></tr></thead><tbody>\n");
        StringBuilder row = new StringBuilder(512);
        for (int i = 0; i < ordered.size(); i++) {
            ReportRun r = ordered.get(i);
            DiagnosisEvent last = r.last();
            String sev = last == null ? "none" : last.severity().code();
            row.setLength(0);
            row.append("<tr class=\"").append(sev).append("\"><td class=\"run\"><a href=\"#").append(anchor(i)).append("\">")
                    .append(esc(r.runId())).append("</a></td><td>");
            badge(row, last);
            row.append("</td><td class=\"num\">").append(since(r)).append("</td><td class=\"num\">").append(best(r))
                    .append("</td><td>");
            if (last != null && !last.recommendations().isEmpty()) { // the first is the one to act on; the rest are below
                row.append(esc(last.recommendations().get(0)));
            }
            row.append("</td></tr>\n");
            out.write(row.toString());
        }
        out.write("</tbody></table>\n");
    }

    private static void badge(StringBuilder b, DiagnosisEvent e) {
        if (e == null) {
            b.append("<span class=\"badge none\">no diagnosis</span>");
            return;
        }
        b.append("<span class=\"badge ").append(e.severity().code()).append("\" title=\"").append(esc(e.summary()))
                .append("\">").append(e.diagnosis().code()).append("</span>");
    }

    /** Where the final diagnosis began, on the chart's x axis. */
    private static String since(ReportRun r) {
        List<Change> changes = r.chart().changes();
        if (changes.isEmpty()) {
            return "";
        }
        Change c = changes.get(changes.size() - 1);
        return r.chart().xLabel() + " " + Scale.x(c.start());
    }

    private static String best(ReportRun r) {
        Double b = r.chart().bestValX();
        return b == null ? "" : r.chart().xLabel() + " " + Scale.x(b);
    }

    private static void section(Writer out, ReportRun r, String id) throws IOException {
        DiagnosisEvent last = r.last();
        String sev = last == null ? "none" : last.severity().code();
        StringBuilder b = new StringBuilder(2048);
        b.append("<section class=\"run ").append(sev).append("\" id=\"").append(id).append("\"><h2><a class=\"id\" href=\"#")
                .append(id).append("\">").append(esc(r.runId())).append("</a> ");
        badge(b, last);
        String since = since(r);
        if (!since.isEmpty()) {
            b.append(" <span class=\"since\">since ").append(since).append("</span>");
        }
        b.append("<a class=\"up\" href=\"#top\">\u2191 summary</a></h2><div class=\"body\">");
        out.write(b.toString());
        out.write(ChartSvg.render(r.chart(), false));
        b.setLength(0);
        b.append("<div class=\"advice\">");
        if (last == null) {
            b.append("<p class=\"said\">No diagnosis: the run reported no loss.</p>");
        } else {
            b.append("<p class=\"said\">").append(esc(last.summary())).append("</p>");
            if (!last.recommendations().isEmpty()) {
                b.append("<ul class=\"recs\">");
                for (String rec : last.recommendations()) {
                    b.append("<li>").append(esc(rec)).append("</li>");
                }
                b.append("</ul>");
            }
            StopAdvice.Spent spent = r.afterStopAdvice();
            if (spent != null && spent.epochs() > 0) {
                b.append("<p class=\"cost\">Trained ").append(String.format("%,d", spent.epochs()))
                        .append(spent.epochs() == 1 ? " epoch" : " epochs")
                        .append(spent.seconds() != null && spent.seconds() > 0 ? " (" + Text.duration(spent.seconds() * 1000) + ")" : "")
                        .append(" after the advice to stop (").append(spent.diagnosis().code()).append(", epoch ")
                        .append(spent.sinceEpoch()).append(").</p>");
            }
            timeline(b, r);
            evidence(b, last.evidence());
        }
        b.append("</div></div></section>\n");
        out.write(b.toString());
    }

    private static void timeline(StringBuilder b, ReportRun r) {
        List<DiagnosisEvent> events = r.timeline();
        List<Change> changes = r.chart().changes();
        b.append("<h3>Timeline</h3><ol class=\"timeline\">");
        int from = Math.max(0, events.size() - TIMELINE_ITEMS);
        if (from > 0) {
            b.append("<li>\u2026 ").append(from).append(" earlier change").append(from == 1 ? "" : "s").append("</li>");
        }
        for (int i = from; i < events.size(); i++) {
            DiagnosisEvent e = events.get(i);
            double x = changes.size() == events.size() ? changes.get(i).x()
                    : e.epoch() != null ? e.epoch() : e.step() != null ? e.step() : Double.NaN;
            b.append("<li class=\"").append(e.severity().code()).append("\" title=\"").append(esc(e.summary())).append("\">")
                    .append(r.chart().xLabel()).append(' ').append(Scale.x(x)).append(" \u00B7 ").append(e.diagnosis().code())
                    .append("</li>");
        }
        b.append("</ol>");
    }

    /** The numbers that decided the diagnosis, in one line (one DOM node: thousands of runs stay light). */
    private static void evidence(StringBuilder b, Map<String, Object> evidence) {
        if (evidence == null || evidence.isEmpty()) {
            return;
        }
        b.append("<h3>Evidence</h3><p class=\"evidence\">");
        int n = 0;
        for (Map.Entry<String, Object> e : evidence.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof Number || v instanceof CharSequence || v instanceof Boolean || v instanceof List<?>)) {
                continue;
            }
            if (n++ == EVIDENCE_ITEMS) {
                break;
            }
            String text = v instanceof Double || v instanceof Float ? Scale.value(((Number) v).doubleValue()) : String.valueOf(v);
            b.append(n > 1 ? " \u00B7 " : "").append(esc(e.getKey())).append(' ').append(esc(ChartSvg.clip(text, 200)));
        }
        b.append("</p>");
    }

}
