package dev.lossdoctor.demo;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.Severity;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the demo shows, as text: a row per run (id, epoch, sparklines of train and val loss with
 * their latest values, the diagnosis coloured by severity, the advice), and the plain one-line
 * forms for output that isn't a terminal. Pure functions of the runs' statuses: no I/O, no clock.
 */
public final class LiveView {

    static final String BLOCKS = "▁▂▃▄▅▆▇█";
    static final char MISSING = ' ';
    static final char NOT_FINITE = '×';
    /** Columns per sparkline: the run's whole recent window, resampled to fit. */
    static final int SPARK_WIDTH = 20;
    /** Log-scale a run's sparklines when its losses span this factor (two decades) or more. */
    static final double LOG_SPAN = 100;
    /** A sparkline's range is at least this fraction of its level, so noise on a plateau isn't blown up into a slope. */
    static final double MIN_SPAN = 0.1;
    private static final int MAX_ID_WIDTH = 32;

    static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String DIM = "\u001b[2m";
    private static final String RED = "\u001b[1;31m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String BLUE = "\u001b[34m";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    /** Critical first, then warning, then info; by run id within a severity. */
    public static final Comparator<RunStatus> ORDER = Comparator
            .comparing((RunStatus s) -> s.diagnosis().severity()).reversed()
            .thenComparing(RunStatus::runId);

    private LiveView() {
    }

    /** The table of runs: a header row and one row per run, each line at most {@code width} columns. */
    public static List<String> rows(List<RunStatus> runs, int width, boolean color) {
        List<RunStatus> sorted = runs.stream().sorted(ORDER).toList();
        int idWidth = Math.max(3, Math.min(MAX_ID_WIDTH, sorted.stream().mapToInt(s -> s.runId().length()).max().orElse(3)));
        List<String> lines = new ArrayList<>(sorted.size() + 1);
        String head = pad("RUN", idWidth) + " " + padLeft("EPOCH", 6) + "  " + pad("TRAIN LOSS", SPARK_WIDTH + 10)
                + pad("VAL LOSS", SPARK_WIDTH + 10) + pad("DIAGNOSIS", 15) + "ADVICE";
        lines.add(fit(color ? BOLD + head + RESET : head, width));
        for (RunStatus s : sorted) {
            lines.add(row(s, idWidth, width, color));
        }
        return lines;
    }

    static String row(RunStatus s, int idWidth, int width, boolean color) {
        List<Double> train = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        if (s.curve() != null) {
            for (RunStatus.CurvePoint p : s.curve()) {
                train.add(p.trainLoss());
                val.add(p.valLoss());
            }
        }
        train = resample(train, SPARK_WIDTH);
        val = resample(val, SPARK_WIDTH);
        String diagnosis = pad(s.diagnosis().code() + (s.finished() ? " ■" : ""), 15);
        String advice = s.recommendations() == null || s.recommendations().isEmpty() ? "" : s.recommendations().get(0);
        String line = pad(clip(s.runId(), idWidth), idWidth) + " " + padLeft(s.epoch() == null ? "-" : Long.toString(s.epoch()), 6) + "  "
                + pad(sparkline(train, Scale.of(train)), SPARK_WIDTH) + " " + pad(number(s.trainLoss()), 9)
                + pad(sparkline(val, Scale.of(val)), SPARK_WIDTH) + " " + pad(number(s.valLoss()), 9)
                + (color ? colour(s.diagnosis()) + diagnosis + RESET : diagnosis)
                + (color && s.finished() ? DIM + advice + RESET : advice);
        return fit(line, width);
    }

    /** The demo's header: where to publish and where to look. */
    public static List<String> header(String bootstrap, String metricsTopic, String httpBase, boolean color) {
        String title = "Loss Doctor demo";
        return List.of(
                color ? BOLD + title + RESET : title,
                "Kafka:   " + bootstrap + " — point your trainers here (topic " + metricsTopic + ")",
                "Web:     " + httpBase + "/",
                "Metrics: " + httpBase + "/metrics",
                "Runs:    " + httpBase + "/runs",
                "Ready:   " + httpBase + "/health/ready");
    }

    /** A plain line for a run whose diagnosis changed: {@code 12:00:03 run r1 epoch 17: overfitting (warning) — summary}. */
    public static String changeLine(LocalTime time, RunStatus s) {
        return CLOCK.format(time) + " run " + s.runId() + (s.epoch() == null ? "" : " epoch " + s.epoch()) + ": "
                + s.diagnosis().code() + " (" + s.severity().code() + ")"
                + (s.summary() == null || s.summary().isBlank() ? "" : " — " + oneLine(s.summary()));
    }

    /** One line of totals: runs by diagnosis (most severe first), finished runs, records sent. */
    public static String totalsLine(LocalTime time, List<RunStatus> runs, long recordsSent) {
        return (time == null ? "" : CLOCK.format(time) + " ") + totals(runs) + "; " + recordsSent + " records sent";
    }

    static String totals(List<RunStatus> runs) {
        Map<Diagnosis, Integer> byDiagnosis = new EnumMap<>(Diagnosis.class);
        int finished = 0;
        for (RunStatus s : runs) {
            byDiagnosis.merge(s.diagnosis(), 1, Integer::sum);
            finished += s.finished() ? 1 : 0;
        }
        List<String> parts = new ArrayList<>();
        for (Severity sev : List.of(Severity.CRITICAL, Severity.WARNING, Severity.INFO)) {
            byDiagnosis.forEach((d, n) -> {
                if (d.severity() == sev) {
                    parts.add(n + " " + d.code());
                }
            });
        }
        return runs.size() + (runs.size() == 1 ? " run" : " runs") + " (" + finished + " finished)"
                + (parts.isEmpty() ? "" : ": " + String.join(", ", parts));
    }

    /** ANSI colour of a diagnosis: critical red, warning yellow, info green (blue while there is nothing to say yet). */
    static String colour(Diagnosis d) {
        return switch (d.severity()) {
            case CRITICAL -> RED;
            case WARNING -> YELLOW;
            case INFO -> d == Diagnosis.LEARNING || d == Diagnosis.CONVERGED ? GREEN : BLUE;
        };
    }

    /**
     * A sparkline of the values on a scale: one block per value, {@value #MISSING} for a missing
     * one (null), {@value #NOT_FINITE} for NaN or infinity.
     */
    static String sparkline(List<Double> values, Scale scale) {
        StringBuilder b = new StringBuilder(values.size());
        for (Double v : values) {
            if (v == null) {
                b.append(MISSING);
            } else if (!Double.isFinite(v)) {
                b.append(NOT_FINITE);
            } else {
                b.append(BLOCKS.charAt(scale.level(v, BLOCKS.length())));
            }
        }
        return b.toString();
    }

    /**
     * The range a sparkline is drawn on: linear (at least {@value #MIN_SPAN} of the level wide),
     * or logarithmic when every value is positive and they span {@value #LOG_SPAN} times or more. Train and val get one each, so each shows its
     * own shape (a val loss creeping up under a far lower train loss); the numbers give the levels.
     */
    record Scale(double lo, double hi, boolean log) {

        @SafeVarargs
        static Scale of(List<Double>... series) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (List<Double> s : series) {
                for (Double v : s) {
                    if (v != null && Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            if (lo > hi) {
                return new Scale(0, 1, false);
            }
            if (lo > 0 && hi / lo >= LOG_SPAN) {
                return new Scale(Math.log10(lo), Math.log10(hi), true);
            }
            // a flat stretch looks flat: a range under MIN_SPAN of the level is drawn around its middle
            double minSpan = MIN_SPAN * Math.max(Math.abs(lo), Math.abs(hi));
            if (hi - lo < minSpan) {
                double mid = (lo + hi) / 2;
                return new Scale(mid - minSpan / 2, mid + minSpan / 2, false);
            }
            return new Scale(lo, hi, false);
        }

        /** The level (0 to levels-1) of a finite value; the middle one when all values are equal. */
        int level(double v, int levels) {
            double x = log ? Math.log10(v) : v;
            if (!(hi > lo)) {
                return levels / 2;
            }
            double f = (x - lo) / (hi - lo);
            return (int) Math.max(0, Math.min(levels - 1, Math.round(f * (levels - 1))));
        }
    }

    /** A loss as people read it: 3 significant digits, plain words for the non-finite. */
    static String number(Double v) {
        if (v == null) {
            return "-";
        }
        if (v.isNaN()) {
            return "NaN";
        }
        if (v.isInfinite()) {
            return v > 0 ? "Inf" : "-Inf";
        }
        double a = Math.abs(v);
        return a != 0 && (a >= 1e5 || a < 1e-2) ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    /**
     * At most {@code n} of the items, evenly spread and ending with the latest: the last item of
     * each of {@code n} equal stretches.
     */
    static <T> List<T> resample(List<T> items, int n) {
        if (items.size() <= n) {
            return items;
        }
        List<T> out = new ArrayList<>(n);
        for (int c = 1; c <= n; c++) {
            out.add(items.get((int) Math.round((double) c * items.size() / n) - 1));
        }
        return out;
    }

    /**
     * Cuts a line to {@code width} visible columns (ANSI escapes don't count), ending a cut line
     * with an ellipsis and a colour reset.
     */
    static String fit(String line, int width) {
        if (width <= 0) {
            return "";
        }
        if (visibleLength(line) <= width) {
            return line;
        }
        StringBuilder b = new StringBuilder();
        int visible = 0;
        boolean escapes = false;
        for (int i = 0; i < line.length(); ) {
            char c = line.charAt(i);
            if (c == '\u001b') {
                int end = escapeEnd(line, i);
                b.append(line, i, end);
                escapes = true;
                i = end;
                continue;
            }
            int cp = line.codePointAt(i);
            if (visible == width - 1) {
                b.append('…');
                break;
            }
            b.appendCodePoint(cp);
            visible++;
            i += Character.charCount(cp);
        }
        return escapes ? b + RESET : b.toString();
    }

    static int visibleLength(String line) {
        int n = 0;
        for (int i = 0; i < line.length(); ) {
            if (line.charAt(i) == '\u001b') {
                i = escapeEnd(line, i);
                continue;
            }
            int cp = line.codePointAt(i);
            n++;
            i += Character.charCount(cp);
        }
        return n;
    }

    /** The index after an escape sequence starting at {@code i} (CSI: ESC [ params final-byte). */
    private static int escapeEnd(String s, int i) {
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '[') {
            j++;
            while (j < s.length() && (s.charAt(j) < 0x40 || s.charAt(j) > 0x7e)) {
                j++;
            }
        }
        return Math.min(s.length(), j + 1);
    }

    static String pad(String s, int width) {
        int n = visibleLength(s);
        return n >= width ? s : s + " ".repeat(width - n);
    }

    private static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
