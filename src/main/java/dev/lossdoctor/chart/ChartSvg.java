package dev.lossdoctor.chart;

import static dev.lossdoctor.chart.Markup.esc;
import static dev.lossdoctor.chart.Markup.px;

import dev.lossdoctor.chart.ChartData.Change;
import dev.lossdoctor.chart.ChartData.ChartPoint;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.Forecast;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One run's chart as SVG text: train loss (solid) and val loss (dashed) against epoch or step,
 * accuracy on a second axis when reported, each diagnosis' stretch shaded in its severity's
 * colour with a marker (and its summary on hover) where the diagnosis changed, the best-val epoch
 * marked, and non-finite losses as crosses along the top. Log scale when the loss spans more than
 * two decades.
 *
 * <p>Small on purpose, so thousands fit in one page: dense curves are drawn from the lowest and
 * highest value of each 2-pixel column (the extremes stay, the path shrinks), every series is one
 * {@code <path>}, styling is presentation attributes (the same text works inline in HTML and as a
 * standalone {@code image/svg+xml} document).
 */
public final class ChartSvg {

    public static final int WIDTH = 680;
    public static final int HEIGHT = 300;

    static final String TRAIN = "#1f77b4", VAL = "#ff7f0e", TRAIN_ACC = "#7aaed4", VAL_ACC = "#ffab66";
    static final String NAN = "#d62728";
    static final String SPIKE = "#7b4fa8";
    /** Values beyond this are drawn as non-finite: nothing trains there, and the arithmetic would overflow. */
    private static final double HUGE = 1e290;
    private static final double COLUMN = 2.0; // px per downsampling column
    private static final double CHAR = 6.0;   // rough width of one character at 11px

    private ChartSvg() {
    }

    /** The chart as a standalone SVG document (what {@code GET /runs/{id}/chart.svg} serves), titled with the run id. */
    public static String render(ChartData data) {
        return render(data, true);
    }

    /** The chart of the service's view of a run: its recent window, shaded from {@code since_epoch}. */
    public static String forStatus(RunStatus status) {
        return render(fromStatus(status), true);
    }

    /** The chart data of a service status: the window's points and the current diagnosis as one change. */
    public static ChartData fromStatus(RunStatus s) {
        List<RunStatus.CurvePoint> curve = s.curve() == null ? List.of() : s.curve();
        boolean bySteps = Curves.bySteps(curve.stream().map(RunStatus.CurvePoint::epoch).toList(),
                curve.stream().map(RunStatus.CurvePoint::step).toList());
        List<ChartPoint> points = new ArrayList<>(curve.size());
        for (RunStatus.CurvePoint p : curve) {
            Long x = bySteps ? p.step() : (p.epoch() != null ? p.epoch() : p.step());
            if (x == null) {
                continue;
            }
            // a point is kept only when it reported a loss, so one with neither is a loss gone non-finite
            boolean lost = p.trainLoss() == null && p.valLoss() == null;
            points.add(new ChartPoint(x, lost ? Double.NaN : p.trainLoss(), p.valLoss(), null, null));
        }
        points.sort((a, b) -> Double.compare(a.x(), b.x()));
        List<Change> changes = new ArrayList<>();
        if (s.diagnosis() != null) {
            Long at = bySteps ? s.step() : (s.epoch() != null ? s.epoch() : s.step());
            double x = at != null ? at : points.isEmpty() ? 0 : points.get(points.size() - 1).x();
            Double since = s.sinceEpoch() == null ? null
                    : bySteps ? Curves.stepOfEpoch(curve, s.sinceEpoch(), s.epoch()) : (double) s.sinceEpoch();
            if (since == null && s.sinceEpoch() != null && !points.isEmpty()) {
                since = points.get(0).x(); // it began before the window
            }
            changes.add(new Change(x, since, s.diagnosis(), s.summary()));
        }
        Double best = s.bestValEpoch() == null || bySteps ? null : (double) s.bestValEpoch();
        ChartData.Projection projection = null;
        Forecast f = s.forecast();
        Long now = bySteps ? s.step() : s.epoch();
        if (f != null && f.perStep() == bySteps && now != null && s.bestValLoss() != null) {
            projection = new ChartData.Projection(now, s.bestValLoss(), f.atEpoch(), f.bestValLoss(), f.low(), f.high());
        }
        List<ChartData.Spike> spikes = s.spikes() == null ? List.of()
                : Curves.spikes(curve.stream().map(RunStatus.CurvePoint::epoch).toList(),
                        curve.stream().map(RunStatus.CurvePoint::step).toList(),
                        curve.stream().map(RunStatus.CurvePoint::trainLoss).toList(), bySteps, s.spikes().epochs());
        return new ChartData(s.runId(), bySteps ? "step" : "epoch", points, changes, best, projection, spikes);
    }

    static String render(ChartData d, boolean standalone) {
        return new Drawing(d, standalone).draw();
    }

    /** A band's colour: its severity's, but waiting for data is a cooler, quieter blue. */
    static String fill(Diagnosis d) {
        return d == Diagnosis.WARMING_UP ? "#e6eef8" : fill(d.severity());
    }

    static String fill(Severity s) {
        return switch (s) {
            case INFO -> "#e2f2e5";
            case WARNING -> "#fde8b6";
            case CRITICAL -> "#fad3ce";
        };
    }

    static String ink(Diagnosis d) {
        return d == Diagnosis.WARMING_UP ? "#4d6f99" : ink(d.severity());
    }

    static String ink(Severity s) {
        return switch (s) {
            case INFO -> "#2e8b57";
            case WARNING -> "#c77c00";
            case CRITICAL -> "#d62728";
        };
    }

    /** One chart being drawn. */
    private static final class Drawing {
        private final ChartData d;
        private final boolean standalone;
        private final StringBuilder sb = new StringBuilder(4096);
        private final int top, bottom, left = 58, right;
        private final int height;
        private Scale xs, ys, as;
        /** Drawn over the curves, with a white halo, so they stay readable where a line crosses them. */
        private final StringBuilder bandLabels = new StringBuilder();
        private boolean hasAcc, hasVal, hasTrain, hasNonFinite, anyFinite;

        Drawing(ChartData d, boolean standalone) {
            this.d = d;
            this.standalone = standalone;
            for (ChartPoint p : d.points()) {
                hasAcc |= finite(p.trainAcc()) || finite(p.valAcc());
                hasTrain |= p.train() != null;
                hasVal |= p.val() != null;
                hasNonFinite |= nonFinite(p.train()) || nonFinite(p.val());
            }
            this.height = HEIGHT + (standalone ? 18 : 0);
            this.top = (standalone ? 18 : 0) + 36;
            this.bottom = height - 40;
            this.right = WIDTH - (hasAcc ? 50 : 16);
        }

        String draw() {
            scales();
            sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ldc\" width=\"").append(WIDTH)
                    .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                    .append("\" font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"")
                    .append(esc("Loss curves of run " + d.runId())).append("\">");
            if (standalone) {
                sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
                sb.append("<text x=\"8\" y=\"15\" font-size=\"13\" font-weight=\"600\" fill=\"#222\">")
                        .append(esc(clip(d.runId(), 100))).append("</text>");
            }
            bands();
            grid();
            if (hasAcc) {
                series(ChartPoint::trainAcc, as, "series train-acc", TRAIN_ACC, "1.3", null);
                series(ChartPoint::valAcc, as, "series val-acc", VAL_ACC, "1.3", "3 2");
            }
            series(ChartPoint::train, ys, "series train-loss", TRAIN, "1.8", null);
            series(ChartPoint::val, ys, "series val-loss", VAL, "1.8", "6 3");
            projection();
            if (!bandLabels.isEmpty()) {
                sb.append("<g class=\"band-labels\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\" "
                        + "stroke-linejoin=\"round\" font-size=\"10.5\">").append(bandLabels).append("</g>");
            }
            best();
            spikeMarks();
            nonFiniteMarks();
            axes();
            changeMarks();
            legend();
            if (!anyFinite) {
                sb.append("<text x=\"").append(px((left + right) / 2.0)).append("\" y=\"").append(px((top + bottom) / 2.0))
                        .append("\" text-anchor=\"middle\" fill=\"#888\" font-size=\"13\">")
                        .append(d.points().isEmpty() ? "no points yet" : "no finite loss values").append("</text>");
            }
            return sb.append("</svg>").toString();
        }

        private void scales() {
            double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, minPos = Double.POSITIVE_INFINITY;
            double amin = Double.POSITIVE_INFINITY, amax = Double.NEGATIVE_INFINITY;
            for (ChartPoint p : d.points()) {
                minX = Math.min(minX, p.x());
                maxX = Math.max(maxX, p.x());
                for (Double v : new Double[] {p.train(), p.val()}) {
                    if (finite(v)) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                        if (v > 0) {
                            minPos = Math.min(minPos, v);
                        }
                    }
                }
                for (Double v : new Double[] {p.trainAcc(), p.valAcc()}) {
                    if (finite(v)) {
                        amin = Math.min(amin, v);
                        amax = Math.max(amax, v);
                    }
                }
            }
            for (Change c : d.changes()) { // a change may come before the first point (a run_started)
                if (Double.isFinite(c.x())) {
                    minX = Math.min(minX, c.x());
                    maxX = Math.max(maxX, c.x());
                }
            }
            ChartData.Projection pr = d.projection();
            if (pr != null) { // the axes reach the horizon and the band
                maxX = Math.max(maxX, pr.toX());
                for (double v : new double[] {pr.low(), pr.high()}) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    if (v > 0) {
                        minPos = Math.min(minPos, v);
                    }
                }
            }
            if (minX > maxX) {
                minX = 0;
                maxX = 1;
            }
            int width = right - left;
            xs = Scale.linear(minX, maxX, left, right, Math.max(2, width / 80), true, false);
            anyFinite = min <= max;
            if (!anyFinite) {
                ys = Scale.linear(0, 1, bottom, top, 5, false, false);
            } else if (min > 0 && max / min > 100) {
                ys = Scale.log(min, max, bottom, top, 7);
            } else {
                // no closer than 2% of the loss' size: a flat curve should look flat, not like noise magnified
                double least = 0.02 * Math.max(Math.abs(min), Math.abs(max));
                if (max - min < least) {
                    double mid = (min + max) / 2;
                    min = mid - least / 2;
                    max = mid + least / 2;
                }
                ys = Scale.linear(min, max, bottom, top, 5, false, true);
            }
            if (hasAcc) {
                as = amin >= 0 && amax <= 1 ? Scale.linear(0, 1, bottom, top, 5, false, false)
                        : Scale.linear(amin, amax, bottom, top, 5, false, true);
            }
        }

        /** The forecast: a light wedge from the best so far to the band at the horizon, and a dotted line to the forecast. */
        private void projection() {
            ChartData.Projection p = d.projection();
            if (p == null || ys == null || (ys.log && !(p.fromY() > 0 && p.y() > 0))) {
                return;
            }
            double x0 = xpx(p.fromX()), x1 = xpx(p.toX()), y0 = yClamped(p.fromY());
            double lo = ys.log && p.low() <= 0 ? bottom : yClamped(p.low());
            sb.append("<path class=\"forecast-band\" d=\"M").append(px(x0)).append(' ').append(px(y0)).append('L')
                    .append(px(x1)).append(' ').append(px(yClamped(p.high()))).append('L').append(px(x1)).append(' ')
                    .append(px(lo)).append("Z\" fill=\"").append(VAL).append("\" fill-opacity=\".15\"/>");
            sb.append("<path class=\"forecast\" d=\"M").append(px(x0)).append(' ').append(px(y0)).append('L').append(px(x1))
                    .append(' ').append(px(yClamped(p.y()))).append("\" fill=\"none\" stroke=\"").append(VAL)
                    .append("\" stroke-width=\"1.5\" stroke-dasharray=\"1 3\" stroke-linecap=\"round\"/>");
        }

        private double yClamped(double v) {
            return clamp(ys.px(v), top - 2, bottom + 2);
        }

        private double xpx(double x) {
            return clamp(xs.px(x), left, right);
        }

        /** The shaded stretch of each diagnosis: from its start (since) to the next one's start. */
        private void bands() {
            List<Change> changes = d.changes();
            if (changes.isEmpty()) {
                return;
            }
            // in hindsight: a later diagnosis dated back before an earlier one's start takes that stretch over
            double[] starts = new double[changes.size()];
            double next = Double.POSITIVE_INFINITY;
            for (int i = changes.size() - 1; i >= 0; i--) {
                starts[i] = Math.min(changes.get(i).start(), next);
                next = starts[i];
            }
            StringBuilder seps = new StringBuilder();
            bandLabels.setLength(0);
            StringBuilder labels = bandLabels;
            sb.append("<g class=\"bands\">");
            for (int i = 0; i < changes.size(); i++) {
                Change c = changes.get(i);
                double x0 = xpx(starts[i]);
                double x1 = i + 1 < changes.size() ? xpx(starts[i + 1]) : right;
                if (x1 - x0 < 0.5) {
                    continue;
                }
                Severity sev = c.diagnosis().severity();
                sb.append("<rect class=\"band ").append(sev.code()).append("\" x=\"").append(px(x0)).append("\" y=\"").append(top)
                        .append("\" width=\"").append(px(x1 - x0)).append("\" height=\"").append(bottom - top)
                        .append("\" fill=\"").append(fill(c.diagnosis())).append("\"><title>").append(c.diagnosis().code())
                        .append(" (").append(sev.code()).append(") from ").append(d.xLabel()).append(' ')
                        .append(Scale.x(starts[i])).append("</title></rect>");
                String label = c.diagnosis().code().replace('_', ' ');
                if (x1 - x0 >= label.length() * CHAR + 8) { // along the bottom: the top is for non-finite crosses
                    labels.append("<text x=\"").append(px(x0 + 4)).append("\" y=\"").append(bottom - 6)
                            .append("\" fill=\"").append(ink(c.diagnosis())).append("\">").append(label).append("</text>");
                }
                if (x0 > left + 0.5) {
                    seps.append('M').append(px(x0)).append(' ').append(top).append('V').append(bottom);
                }
            }
            if (!seps.isEmpty()) {
                sb.append("<path d=\"").append(seps).append("\" stroke=\"#fff\" stroke-width=\"1.5\"/>");
            }
            sb.append("</g>");
        }

        private void grid() {
            StringBuilder g = new StringBuilder();
            for (double t : ys.ticks) {
                double y = ys.px(t);
                if (y >= top - 0.5 && y <= bottom + 0.5) {
                    g.append('M').append(left).append(' ').append(px(y)).append('H').append(right);
                }
            }
            if (!g.isEmpty()) {
                sb.append("<path class=\"grid\" d=\"").append(g).append("\" stroke=\"#000\" stroke-opacity=\".08\"/>");
            }
        }

        /** One series as one path: breaks at non-finite values, goes straight across missing ones. */
        private void series(Function<ChartPoint, Double> get, Scale scale, String cls, String colour, String width,
                            String dash) {
            StringBuilder path = new StringBuilder();
            Column col = new Column();
            int[] inSubpath = {0};
            for (ChartPoint p : d.points()) {
                Double v = get.apply(p);
                if (v == null) {
                    continue;
                }
                if (!finite(v) || (scale.log && v <= 0)) {
                    col.flush(path, inSubpath);
                    endSubpath(path, inSubpath);
                    continue;
                }
                double x = xpx(p.x()), y = clamp(scale.px(v), top - 2, bottom + 2);
                long c = (long) Math.floor(x / COLUMN);
                if (c != col.index) {
                    col.flush(path, inSubpath);
                    col.index = c;
                }
                col.add(x, y);
            }
            col.flush(path, inSubpath);
            endSubpath(path, inSubpath);
            if (path.isEmpty()) {
                return;
            }
            sb.append("<path class=\"").append(cls).append("\" d=\"").append(path).append("\" fill=\"none\" stroke=\"")
                    .append(colour).append("\" stroke-width=\"").append(width)
                    .append("\" stroke-linejoin=\"round\" stroke-linecap=\"round\"");
            if (dash != null) {
                sb.append(" stroke-dasharray=\"").append(dash).append('"');
            }
            sb.append("/>");
        }

        /** A subpath of one point draws nothing: a zero-length segment with round caps makes it a dot. */
        private static void endSubpath(StringBuilder path, int[] inSubpath) {
            if (inSubpath[0] == 1) {
                path.append("h0");
            }
            inSubpath[0] = 0;
        }

        private void best() {
            Double bx = d.bestValX();
            if (bx == null || !Double.isFinite(bx) || bx < xs.lo || bx > xs.hi) {
                return;
            }
            Double v = null;
            for (ChartPoint p : d.points()) {
                if (p.x() == bx && finite(p.val())) {
                    v = p.val();
                    break;
                }
            }
            double x = xs.px(bx);
            sb.append("<g class=\"best-val\"><title>Best validation loss").append(v == null ? "" : " " + Scale.value(v))
                    .append(" at ").append(d.xLabel()).append(' ').append(Scale.x(bx)).append("</title>")
                    .append("<path d=\"M").append(px(x)).append(' ').append(top).append('V').append(bottom)
                    .append("\" stroke=\"").append(VAL).append("\" stroke-width=\"1.2\" stroke-dasharray=\"1 3\"/>");
            if (v != null && !(ys.log && v <= 0)) {
                sb.append("<circle cx=\"").append(px(x)).append("\" cy=\"").append(px(ys.px(v)))
                        .append("\" r=\"4.5\" fill=\"#fff\" stroke=\"").append(VAL).append("\" stroke-width=\"2\"/>");
            }
            sb.append("</g>");
        }

        /**
         * A small triangle just above the training loss at each recovered spike, so the jump the
         * analysis weighed and let pass is visible as such (not as a diagnosis), its place on hover.
         */
        private void spikeMarks() {
            if (d.spikes().isEmpty()) {
                return;
            }
            sb.append("<g class=\"spikes\" fill=\"").append(SPIKE).append("\">");
            for (ChartData.Spike s : d.spikes()) {
                if (s.x() < xs.lo || s.x() > xs.hi) {
                    continue;
                }
                Double v = null;
                for (ChartPoint p : d.points()) {
                    if (p.x() == s.x() && finite(p.train()) && !(ys.log && p.train() <= 0)) {
                        v = p.train();
                        break;
                    }
                }
                double x = xs.px(s.x());
                // above the peak, clear of the line; without a finite loss there, at the top
                double tip = v == null ? top + 2 : clamp(ys.px(v), top - 2, bottom + 2) - 10;
                sb.append("<path class=\"spike\" d=\"M").append(px(x)).append(' ').append(px(tip)).append("l4.5 7h-9z\"><title>")
                        .append("Recovered loss spike at ").append(esc(s.at()))
                        .append(": the training loss jumped and came back down</title></path>");
            }
            sb.append("</g>");
        }

        /** Crosses along the top at the x of each non-finite loss: one path, one tooltip. */
        private void nonFiniteMarks() {
            if (!hasNonFinite) {
                return;
            }
            StringBuilder path = new StringBuilder();
            long lastCol = Long.MIN_VALUE;
            int count = 0;
            double first = Double.NaN, last = Double.NaN;
            double y = top + 6;
            for (ChartPoint p : d.points()) {
                if (!nonFinite(p.train()) && !nonFinite(p.val())) {
                    continue;
                }
                count++;
                first = Double.isNaN(first) ? p.x() : first;
                last = p.x();
                double x = xpx(p.x());
                long c = Math.round(x / 4); // crosses closer than 4px would only overprint
                if (c == lastCol) {
                    continue;
                }
                lastCol = c;
                path.append('M').append(px(x - 3.5)).append(' ').append(px(y - 3.5)).append("l7 7m0-7l-7 7");
            }
            sb.append("<path class=\"non-finite\" d=\"").append(path).append("\" stroke=\"").append(NAN)
                    .append("\" stroke-width=\"2\"><title>Non-finite loss (NaN or Infinity) at ").append(count)
                    .append(count == 1 ? " point: " : " points: ").append(d.xLabel()).append(' ').append(Scale.x(first));
            if (last != first) {
                sb.append(" to ").append(Scale.x(last));
            }
            sb.append("</title></path>");
        }

        private void axes() {
            StringBuilder a = new StringBuilder();
            a.append('M').append(left).append(' ').append(top).append('V').append(bottom).append('H').append(right);
            if (hasAcc) {
                a.append('V').append(top);
            }
            boolean nonNegativeX = xs.lo >= -1 && d.points().stream().allMatch(p -> p.x() >= 0);
            StringBuilder xl = new StringBuilder(), yl = new StringBuilder(), al = new StringBuilder();
            double lastLabelEnd = Double.NEGATIVE_INFINITY;
            for (double t : xs.ticks) {
                if (t < xs.lo - 1e-9 || t > xs.hi + 1e-9 || (nonNegativeX && t < 0)) {
                    continue;
                }
                double x = xs.px(t);
                String label = xs.label(t);
                double half = label.length() * CHAR / 2;
                a.append('M').append(px(x)).append(' ').append(bottom).append("v4");
                if (x - half > lastLabelEnd + 4) {
                    xl.append("<text x=\"").append(px(x)).append("\" y=\"").append(bottom + 16).append("\">")
                            .append(label).append("</text>");
                    lastLabelEnd = x + half;
                }
            }
            for (double t : ys.ticks) {
                double y = ys.px(t);
                if (y < top - 0.5 || y > bottom + 0.5) {
                    continue;
                }
                a.append('M').append(left).append(' ').append(px(y)).append("h-4");
                yl.append("<text x=\"").append(left - 7).append("\" y=\"").append(px(y + 4)).append("\">")
                        .append(ys.label(t)).append("</text>");
            }
            if (hasAcc) {
                for (double t : as.ticks) {
                    double y = as.px(t);
                    if (y < top - 0.5 || y > bottom + 0.5) {
                        continue;
                    }
                    a.append('M').append(right).append(' ').append(px(y)).append("h4");
                    al.append("<text x=\"").append(right + 7).append("\" y=\"").append(px(y + 4)).append("\">")
                            .append(as.label(t)).append("</text>");
                }
            }
            sb.append("<path class=\"axes\" d=\"").append(a).append("\" fill=\"none\" stroke=\"#777\"/>");
            sb.append("<g class=\"ticks\" fill=\"#555\"><g text-anchor=\"middle\">").append(xl).append("</g><g text-anchor=\"end\">")
                    .append(yl).append("</g>");
            if (hasAcc) {
                sb.append("<g text-anchor=\"start\">").append(al).append("</g>");
            }
            sb.append("</g>");
            double midY = (top + bottom) / 2.0;
            sb.append("<g class=\"axis-labels\" fill=\"#333\">");
            sb.append("<text x=\"").append(right).append("\" y=\"").append(bottom + 32).append("\" text-anchor=\"end\">")
                    .append(esc(d.xLabel())).append(" \u2192</text>");
            sb.append("<text transform=\"translate(14 ").append(px(midY)).append(") rotate(-90)\" text-anchor=\"middle\">")
                    .append(ys.log ? "loss (log scale)" : "loss").append("</text>");
            if (hasAcc) {
                sb.append("<text transform=\"translate(").append(WIDTH - 8).append(' ').append(px(midY))
                        .append(") rotate(90)\" text-anchor=\"middle\">accuracy</text>");
            }
            sb.append("</g>");
        }

        /** A triangle above the plot where each diagnosis was read, its summary on hover. */
        private void changeMarks() {
            if (d.changes().isEmpty()) {
                return;
            }
            sb.append("<g class=\"changes\">");
            Diagnosis previous = null;
            for (Change c : d.changes()) {
                Severity sev = c.diagnosis().severity();
                double x = xpx(c.x());
                sb.append("<path class=\"change ").append(sev.code()).append("\" d=\"M").append(px(x - 5.5)).append(' ')
                        .append(top - 11).append("h11l-5.5 9z\" fill=\"").append(ink(c.diagnosis())).append("\"><title>")
                        .append(esc(d.xLabel())).append(' ').append(Scale.x(c.x())).append(": ");
                if (previous != null) {
                    sb.append(previous.code()).append(" \u2192 ");
                }
                sb.append(c.diagnosis().code()).append(" (").append(sev.code()).append(')');
                if (c.since() != null && Double.isFinite(c.since()) && c.since() != c.x()) {
                    sb.append(", since ").append(esc(d.xLabel())).append(' ').append(Scale.x(c.since()));
                }
                if (!c.summary().isEmpty()) {
                    sb.append(". ").append(esc(c.summary()));
                }
                sb.append("</title></path>");
                previous = c.diagnosis();
            }
            sb.append("</g>");
        }

        private void legend() {
            double x = left;
            double y = top - 26;
            sb.append("<g class=\"legend\" fill=\"#333\">");
            if (hasTrain) {
                x = lineKey(x, y, TRAIN, "1.8", null, "train loss");
            }
            if (hasVal) {
                x = lineKey(x, y, VAL, "1.8", "6 3", "val loss");
            }
            if (hasAcc) {
                x = lineKey(x, y, TRAIN_ACC, "1.3", null, "train acc");
                x = lineKey(x, y, VAL_ACC, "1.3", "3 2", "val acc");
            }
            if (d.bestValX() != null) {
                sb.append("<circle cx=\"").append(px(x + 5)).append("\" cy=\"").append(px(y - 4))
                        .append("\" r=\"4\" fill=\"#fff\" stroke=\"").append(VAL).append("\" stroke-width=\"2\"/>");
                x = text(x + 13, y, "best val");
            }
            boolean changes = !d.changes().isEmpty();
            boolean spikes = d.spikes().stream().anyMatch(s -> s.x() >= xs.lo && s.x() <= xs.hi);
            String changeWord = "diagnosis change (hover)", spikeWord = "recovered spike";
            // the last keys say less rather than run off the chart when every key is there
            double end = x + (changes ? keyWidth(14, changeWord) : 0) + (spikes ? keyWidth(14, spikeWord) : 0)
                    + (hasNonFinite ? keyWidth(11, "NaN/Inf") : 0) - 14;
            if (end > WIDTH - 4 && changes) {
                changeWord = "diagnosis change";
                end -= 8 * CHAR;
            }
            if (end > WIDTH - 4 && spikes) {
                spikeWord = "spike";
                end -= 10 * CHAR;
            }
            if (end > WIDTH - 4 && changes) {
                changeWord = "change";
            }
            if (changes) {
                sb.append("<path d=\"M").append(px(x)).append(' ').append(px(y - 8)).append("h10l-5 8z\" fill=\"#888\"/>");
                x = text(x + 14, y, changeWord);
            }
            if (spikes) {
                sb.append("<path d=\"M").append(px(x + 5)).append(' ').append(px(y - 8)).append("l4.5 7h-9z\" fill=\"")
                        .append(SPIKE).append("\"/>");
                x = text(x + 14, y, spikeWord);
            }
            if (hasNonFinite) {
                sb.append("<path d=\"M").append(px(x)).append(' ').append(px(y - 7)).append("l7 7m0-7l-7 7\" stroke=\"")
                        .append(NAN).append("\" stroke-width=\"2\"/>");
                text(x + 11, y, "NaN/Inf");
            }
            sb.append("</g>");
        }

        /** How much of the legend's row a key takes: its mark, its word, the gap after it. */
        private static double keyWidth(double mark, String label) {
            return mark + label.length() * CHAR + 14;
        }

        private double lineKey(double x, double y, String colour, String width, String dash, String label) {
            sb.append("<path d=\"M").append(px(x)).append(' ').append(px(y - 4)).append("h20\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"").append(width).append('"');
            if (dash != null) {
                sb.append(" stroke-dasharray=\"").append(dash).append('"');
            }
            sb.append("/>");
            return text(x + 24, y, label);
        }

        private double text(double x, double y, String label) {
            sb.append("<text x=\"").append(px(x)).append("\" y=\"").append(px(y)).append("\">").append(label).append("</text>");
            return x + label.length() * CHAR + 14;
        }
    }

    /** The points of one 2-pixel column: drawn as its lowest and highest value, in their order. */
    private static final class Column {
        long index = Long.MIN_VALUE;
        int n, minAt, maxAt;
        double firstX, firstY, minX, minY, maxX, maxY;

        void add(double x, double y) {
            if (n == 0) {
                firstX = minX = maxX = x;
                firstY = minY = maxY = y;
                minAt = maxAt = 0;
            } else {
                if (y < minY) {
                    minY = y;
                    minX = x;
                    minAt = n;
                }
                if (y > maxY) {
                    maxY = y;
                    maxX = x;
                    maxAt = n;
                }
            }
            n++;
        }

        void flush(StringBuilder path, int[] inSubpath) {
            if (n == 0) {
                return;
            }
            if (n == 1 || minY == maxY) {
                point(path, inSubpath, firstX, firstY);
            } else if (minAt < maxAt) {
                point(path, inSubpath, minX, minY);
                point(path, inSubpath, maxX, maxY);
            } else {
                point(path, inSubpath, maxX, maxY);
                point(path, inSubpath, minX, minY);
            }
            n = 0;
            index = Long.MIN_VALUE;
        }

        private static void point(StringBuilder path, int[] inSubpath, double x, double y) {
            path.append(inSubpath[0] == 0 ? 'M' : ' ');
            px(path, x).append(' ');
            px(path, y);
            inSubpath[0]++;
        }
    }

    static boolean finite(Double v) {
        return v != null && Double.isFinite(v) && Math.abs(v) <= HUGE;
    }

    static boolean nonFinite(Double v) {
        return v != null && !finite(v);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }
}
