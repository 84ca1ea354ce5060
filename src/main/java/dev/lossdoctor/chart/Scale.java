package dev.lossdoctor.chart;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Maps data values to pixels along one axis, linearly or by decades, and says where its ticks go. */
final class Scale {

    final double lo, hi;
    final boolean log;
    final double[] ticks;
    private final double px0, px1;
    private final double step; // between ticks (in decades on a log scale)

    private Scale(double lo, double hi, boolean log, double[] ticks, double step, double px0, double px1) {
        this.lo = lo;
        this.hi = hi;
        this.log = log;
        this.ticks = ticks;
        this.step = step;
        this.px0 = px0;
        this.px1 = px1;
    }

    /** The pixel of {@code v} (px0 at lo, px1 at hi). */
    double px(double v) {
        double t = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        return px0 + t * (px1 - px0);
    }

    /**
     * A linear scale over [min, max] with round ticks at its ends; {@code integers} keeps ticks on
     * whole numbers (epochs, steps). A single value gets a small range around it.
     */
    static Scale linear(double min, double max, double px0, double px1, int targetTicks, boolean integers, boolean pad) {
        if (!(max > min)) {
            double d = integers ? 1 : (min == 0 ? 1 : Math.abs(min) * 0.1);
            min -= d;
            max += d;
        } else if (pad) {
            double d = (max - min) * 0.04;
            min -= d;
            max += d;
        }
        double step = nice((max - min) / Math.max(1, targetTicks));
        if (integers) {
            step = Math.max(1, Math.round(step));
        }
        double lo = min, hi = max; // the data's own ends (padded), ticks inside
        int first = (int) Math.ceil(lo / step - 1e-9), last = (int) Math.floor(hi / step + 1e-9);
        int n = Math.max(0, Math.min(last - first + 1, 50));
        double[] ticks = new double[n];
        for (int i = 0; i < n; i++) {
            ticks[i] = (first + i) * step;
        }
        return new Scale(lo, hi, false, ticks, step, px0, px1);
    }

    /** A log scale from the decade at or below {@code min} (> 0) to the one at or above {@code max}. */
    static Scale log(double min, double max, double px0, double px1, int maxTicks) {
        int e0 = (int) Math.floor(Math.log10(min) + 1e-12), e1 = (int) Math.ceil(Math.log10(max) - 1e-12);
        if (e1 <= e0) {
            e1 = e0 + 1;
        }
        int stride = 1;
        while ((e1 - e0) / stride + 1 > maxTicks) {
            stride++;
        }
        int first = Math.floorDiv(e0 + stride - 1, stride) * stride;
        int n = (e1 - first) / stride + 1;
        double[] ticks = new double[n];
        for (int i = 0; i < n; i++) {
            ticks[i] = Math.pow(10, first + i * stride);
        }
        return new Scale(Math.pow(10, e0), Math.pow(10, e1), true, ticks, stride, px0, px1);
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code raw}. */
    static double nice(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        double m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return m * p;
    }

    /** A tick's label: as few digits as the tick spacing needs; powers of ten as 1e-5 beyond 0.001–1000. */
    String label(double v) {
        if (log) {
            int e = (int) Math.round(Math.log10(v));
            return e >= -3 && e <= 3 ? plain(v, Math.max(0, -e)) : "1e" + e;
        }
        return number(v, step);
    }

    /** {@code v} written with the decimals a spacing of {@code step} needs; very large or small in e-notation. */
    static String number(double v, double step) {
        if (Math.abs(v) < step * 1e-9) {
            if (step < 1e-3 || step >= 1e5) {
                return "0";
            }
            v = 0;
        }
        double a = Math.abs(v);
        if (a >= 1e5 && Math.rint(v / 1000) * 1000 == v && a < 1e9 && step >= 1000) {
            return number(v / 1000, step / 1000) + "k";
        }
        if (a >= 1e5 || (a < 1e-3 && a != 0)) {
            BigDecimal b = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
            int exp = b.precision() - b.scale() - 1;
            String mantissa = b.movePointLeft(exp).stripTrailingZeros().toPlainString();
            return mantissa + "e" + exp;
        }
        int decimals = 0;
        while (decimals < 8 && Math.abs(step * Math.pow(10, decimals) - Math.rint(step * Math.pow(10, decimals))) > 1e-6) {
            decimals++;
        }
        return plain(v, decimals);
    }

    private static String plain(double v, int decimals) {
        String s = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        return s.startsWith("-") && Double.parseDouble(s) == 0 ? s.substring(1) : s;
    }

    /** A value as a person reads it in a tooltip: 3 significant digits. */
    static String value(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        }
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) {
            BigDecimal b = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
            int exp = b.precision() - b.scale() - 1;
            return b.movePointLeft(exp).stripTrailingZeros().toPlainString() + "e" + exp;
        }
        String s = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    /** An x value (an epoch or a step) as text: whole numbers without decimals. */
    static String x(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : value(v);
    }
}
