package dev.lossdoctor.core;

import java.util.Locale;

/** Numbers as a person reads them in a summary. */
final class Text {

    private Text() {
    }

    /** A value with 3 significant digits, in plain notation where that stays short. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
        }
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    /** A ratio as a whole percentage, e.g. 0.123 → "12%". */
    static String pct(double ratio) {
        double p = Math.abs(ratio) * 100;
        if (p >= 10 || p == 0) {
            return Math.round(p) + "%";
        }
        return num(p) + "%";
    }

    /** A number rounded for evidence: 4 significant digits. */
    static double round(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
    }

    static String duration(long millis) {
        long minutes = millis / 60_000;
        if (minutes < 120) {
            return minutes + " min";
        }
        return (minutes / 60) + " h " + (minutes % 60) + " min";
    }
}
