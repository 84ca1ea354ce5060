package dev.lossdoctor.core;

/** Numbers as a person reads them in a summary. */
public final class Text {

    private Text() {
    }

    /** A value with 3 significant digits, in plain notation where that stays short. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
        }
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) {
            return scientific(v);
        }
        long sig = a == 0 ? -1 : significant(a, 3);
        if (sig < 0) {
            String s = new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
            return s.equals("-0") ? "0" : s;
        }
        long n = sig >> 8;
        int k = (int) (sig & 0xFF) - 64;
        StringBuilder out = new StringBuilder(12);
        if (v < 0) {
            out.append('-');
        }
        if (k <= 0) {
            out.append(n);
            out.append("0".repeat(-k));
            return out.toString();
        }
        long unit = (long) POW10[k];
        long fraction = n % unit;
        out.append(n / unit);
        if (fraction != 0) {
            String f = Long.toString(unit + fraction).substring(1); // zero-padded to k digits
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.').append(f, 0, end);
        }
        return out.toString();
    }

    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
            1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * The positive finite {@code a} rounded half up to {@code digits} significant digits, as
     * {@code n·10^-k} packed into {@code n << 8 | (k + 64)}; or -1 when that can't be told for sure
     * in floating point (then {@link java.math.BigDecimal}, ten times slower, decides). The product
     * {@code a·10^k} is within an ulp of exact, so only a value within a millionth of a tie, or one
     * whose digit count log10 misjudged, is in doubt.
     */
    private static long significant(double a, int digits) {
        int k = digits - 1 - (int) Math.floor(Math.log10(a));
        if (k < -22 || k > 22) {
            return -1;
        }
        double p = k >= 0 ? a * POW10[k] : a / POW10[-k];
        double whole = Math.floor(p);
        double fraction = p - whole;
        if (Math.abs(fraction - 0.5) < 1e-6) {
            return -1;
        }
        long n = (long) whole + (fraction > 0.5 ? 1 : 0);
        if (n < (long) POW10[digits - 1] || n >= (long) POW10[digits]) {
            return -1;
        }
        return n << 8 | (k + 64);
    }

    /**
     * What {@code String.format(Locale.ROOT, "%.2e", v)} writes (e.g. {@code -1.23e-04}), for a
     * finite non-zero value, at a tenth of its cost (it was the costliest part of a status): the
     * formatter rounds the decimal digits {@link Double#toString} gives half up, and so does this.
     */
    static String scientific(double v) {
        java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(Math.abs(v)))
                .round(new java.math.MathContext(3, java.math.RoundingMode.HALF_UP));
        String digits = d.unscaledValue().toString();
        int exponent = digits.length() - 1 - d.scale();
        StringBuilder out = new StringBuilder(10);
        if (v < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0)).append('.');
        for (int i = 1; i < 3; i++) {
            out.append(i < digits.length() ? digits.charAt(i) : '0');
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int e = Math.abs(exponent);
        if (e < 10) {
            out.append('0');
        }
        return out.append(e).toString();
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
        long sig = significant(Math.abs(v), 4);
        if (sig < 0) {
            return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
        }
        long n = sig >> 8;
        int k = (int) (sig & 0xFF) - 64;
        double r = k >= 0 ? n / POW10[k] : n * POW10[-k]; // exact operands: the double nearest to the decimal
        return v < 0 ? -r : r;
    }

    public static String duration(long millis) {
        long minutes = millis / 60_000;
        if (minutes < 120) {
            return minutes + " min";
        }
        return (minutes / 60) + " h " + (minutes % 60) + " min";
    }
}
