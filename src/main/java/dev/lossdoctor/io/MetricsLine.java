package dev.lossdoctor.io;

import com.fasterxml.jackson.core.io.NumberInput;
import java.nio.charset.StandardCharsets;

/**
 * The one event shape trainers send nearly always, read straight from its bytes: a flat object of
 * {@code type} ("metrics"), {@code run_id}, {@code epoch}, {@code step}, {@code timestamp} and a
 * {@code metrics} object of plain numbers, each field once, every string printable ASCII without
 * escapes. Anything else (another field, type or shape, an escape, a non-numeric value, a number in
 * a form other than JSON's strict one, a metric name given twice or empty or too long) is left to
 * the general reader: {@link #read} then says null, and the parser reads the record as before. So
 * what this reads is what the general reader would read; {@code TokenReaderProperties} checks that
 * on any input.
 *
 * <p>It makes no string it need not make (the stream reads every record through it): field names
 * are compared as bytes, the run id and the timestamp are left where they are in the line, metric
 * names trainers use are found as bytes in a table of their canonical names, and a number of up
 * to 15 digits is read exactly by one multiplication or division.
 */
final class MetricsLine {

    /** Where the run id's and the timestamp's characters are in the line (from inclusive, to exclusive); -1 when absent. */
    int runIdFrom = -1, runIdTo, timeFrom = -1, timeTo;
    long epoch = -1, step = -1;
    /** The metrics' canonical names ({@link EventParser#canonicalName}), distinct, and their values: {@code metrics} of them. */
    String[] names = new String[8];
    double[] values = new double[8];
    int metrics = -1;
    private boolean typed;

    private final byte[] b;
    private int i;
    /** The last string read: its characters' place in the line. */
    private int from, to;

    private MetricsLine(byte[] b) {
        this.b = b;
    }

    /** The fields of a line of the common shape, or null when it is not one. */
    static MetricsLine read(byte[] value) {
        MetricsLine m = new MetricsLine(value);
        return m.object() ? m : null;
    }

    /** The run id the line gives, null when none: {@code key} itself when the line gives the same. */
    String runId(String key) {
        if (runIdFrom < 0) {
            return null;
        }
        if (key != null && key.length() == runIdTo - runIdFrom) {
            int k = 0;
            while (k < key.length() && key.charAt(k) == b[runIdFrom + k]) {
                k++;
            }
            if (k == key.length()) {
                return key;
            }
        }
        return new String(b, runIdFrom, runIdTo - runIdFrom, StandardCharsets.US_ASCII);
    }

    private boolean object() {
        skipSpace();
        if (!take('{')) {
            return false;
        }
        skipSpace();
        if (take('}')) {
            return false; // no fields: the general reader words what is missing
        }
        do {
            skipSpace();
            if (!string()) {
                return false;
            }
            int nameFrom = from, nameTo = to;
            skipSpace();
            if (!take(':')) {
                return false;
            }
            skipSpace();
            if (!field(nameFrom, nameTo)) {
                return false;
            }
            skipSpace();
        } while (take(','));
        if (!take('}')) {
            return false;
        }
        skipSpace();
        return i == b.length;
    }

    private static final byte[] TYPE = ascii("type"), RUN_ID = ascii("run_id"), TIMESTAMP = ascii("timestamp"),
            EPOCH = ascii("epoch"), STEP = ascii("step"), METRICS = ascii("metrics");

    private boolean field(int nameFrom, int nameTo) {
        if (is(nameFrom, nameTo, TYPE)) {
            // another type is not this shape: the general reader reads it
            return !typed && (typed = true) && string() && is(from, to, METRICS);
        }
        if (is(nameFrom, nameTo, RUN_ID)) {
            if (runIdFrom >= 0 || !string()) {
                return false;
            }
            runIdFrom = from;
            runIdTo = to;
            return true;
        }
        if (is(nameFrom, nameTo, TIMESTAMP)) {
            if (timeFrom >= 0 || !string()) {
                return false;
            }
            timeFrom = from;
            timeTo = to;
            return true;
        }
        if (is(nameFrom, nameTo, EPOCH)) {
            return epoch < 0 && (epoch = counter()) >= 0;
        }
        if (is(nameFrom, nameTo, STEP)) {
            return step < 0 && (step = counter()) >= 0;
        }
        if (is(nameFrom, nameTo, METRICS)) {
            return metrics < 0 && metrics();
        }
        return false;
    }

    private boolean is(int from, int to, byte[] name) {
        if (to - from != name.length) {
            return false;
        }
        for (int k = 0; k < name.length; k++) {
            if (b[from + k] != name[k]) {
                return false;
            }
        }
        return true;
    }

    private boolean metrics() {
        if (!take('{')) {
            return false;
        }
        metrics = 0;
        skipSpace();
        if (take('}')) {
            return true;
        }
        do {
            skipSpace();
            if (!string()) {
                return false;
            }
            String name = canonicalName(from, to);
            if (name == null) {
                return false;
            }
            for (int k = 0; k < metrics; k++) {
                if (names[k].equals(name)) {
                    return false; // two names for one metric: the general reader keeps the last
                }
            }
            skipSpace();
            if (!take(':')) {
                return false;
            }
            skipSpace();
            double v = value();
            if (Double.isNaN(v)) {
                return false;
            }
            if (metrics == names.length) {
                if (metrics == 64) {
                    return false;
                }
                names = java.util.Arrays.copyOf(names, metrics * 2);
                values = java.util.Arrays.copyOf(values, metrics * 2);
            }
            names[metrics] = name;
            values[metrics++] = v;
            skipSpace();
        } while (take(','));
        return take('}');
    }

    /** The canonical name of the metric named at {@code from..to}; null when it is empty or too long. */
    private String canonicalName(int from, int to) {
        int hash = 0;
        for (int k = from; k < to; k++) {
            hash = 31 * hash + b[k];
        }
        for (int slot = hash & (KNOWN_NAMES.length - 1); KNOWN_NAMES[slot] != null; slot = (slot + 1) & (KNOWN_NAMES.length - 1)) {
            if (is(from, to, KNOWN_NAMES[slot])) {
                return KNOWN_CANONICAL[slot];
            }
        }
        String name = new String(b, from, to - from, StandardCharsets.US_ASCII).trim();
        return name.isEmpty() || name.length() > EventParser.MAX_NAME_LENGTH ? null : EventParser.canonicalName(name);
    }

    /**
     * The metric names trainers send most, as bytes, each with its canonical name, in an open-addressed
     * table by the names' {@link String#hashCode} (the same for ASCII bytes): found without making a string.
     */
    private static final byte[][] KNOWN_NAMES = new byte[64][];
    private static final String[] KNOWN_CANONICAL = new String[64];

    static {
        for (String name : new String[] {"train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr", "loss", "accuracy",
                "acc", "val_acc", "learning_rate", "train_acc", "eval_loss", "eval_accuracy", "test_loss", "test_accuracy",
                "grad_norm", "val_f1", "val_auc", "perplexity", "val_perplexity", "train_mae", "val_mae", "train_mse", "val_mse"}) {
            int slot = name.hashCode() & (KNOWN_NAMES.length - 1);
            while (KNOWN_NAMES[slot] != null) {
                slot = (slot + 1) & (KNOWN_NAMES.length - 1);
            }
            KNOWN_NAMES[slot] = ascii(name);
            KNOWN_CANONICAL[slot] = EventParser.canonicalName(name).intern();
        }
    }

    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
            1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    private static final long EXACT = 1L << 53;

    /**
     * A metric's value: a number in JSON's strict form read in one pass, or NaN when there is none
     * here or it is one for the general reader (a whole number past 18 characters, its big integer;
     * a number past 60). A whole number is its long's double, as the general reader's. Any other
     * number is correctly rounded as {@code Double.parseDouble} (and Jackson's fast reader, the
     * general reader's) reads it: its digits as a whole number m below 2^53 and its power of ten p
     * within ±22 are both exact doubles, so one IEEE multiplication or division of them is the
     * correctly rounded value (Clinger's fast path); any other goes to Jackson's reader.
     */
    private double value() {
        int start = i;
        boolean negative = take('-');
        long m = 0;
        boolean exact = true;
        if (take('0')) {
            if (i < b.length && b[i] >= '0' && b[i] <= '9') {
                return Double.NaN; // a leading zero: not JSON
            }
        } else {
            int first = i;
            for (; i < b.length && b[i] >= '0' && b[i] <= '9'; i++) {
                if (i - first < 18) {
                    m = m * 10 + (b[i] - '0');
                } else {
                    exact = false;
                }
            }
            if (i == first) {
                return Double.NaN;
            }
        }
        boolean integral = true;
        int scale = 0;
        if (take('.')) {
            integral = false;
            int first = i;
            for (; i < b.length && b[i] >= '0' && b[i] <= '9'; i++) {
                if (m < EXACT) {
                    m = m * 10 + (b[i] - '0');
                    scale++;
                } else {
                    exact = false;
                }
            }
            if (i == first) {
                return Double.NaN;
            }
        }
        int exponent = 0;
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            integral = false;
            i++;
            boolean negativeExponent = take('-');
            if (!negativeExponent) {
                take('+');
            }
            int first = i;
            for (; i < b.length && b[i] >= '0' && b[i] <= '9'; i++) {
                exponent = Math.min(exponent * 10 + (b[i] - '0'), 1_000_000);
            }
            if (i == first) {
                return Double.NaN;
            }
            exponent = negativeExponent ? -exponent : exponent;
        }
        if (i < b.length && !delimiter(b[i])) {
            return Double.NaN; // "1x", "1true": not a number here
        }
        if (integral) {
            return i - start > 18 ? Double.NaN : (double) (negative ? -m : m);
        }
        if (i - start > 60) {
            return Double.NaN;
        }
        if (exact && m < EXACT) {
            if (m == 0) {
                return negative ? -0.0 : 0.0;
            }
            int p = exponent - scale;
            if (p >= -22 && p <= 22) {
                double v = p < 0 ? m / POWERS_OF_TEN[-p] : m * POWERS_OF_TEN[p];
                return negative ? -v : v;
            }
        }
        // Jackson's fast reader, as the token reader's: correctly rounded like Double.parseDouble, and faster
        return NumberInput.parseDouble(new String(b, start, i - start, StandardCharsets.US_ASCII), true);
    }

    /**
     * A number in JSON's strict form ({@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}),
     * read up to its end; whether it has neither fraction nor exponent. Leaves {@code i} where it
     * started when there is none.
     */
    private boolean number() {
        int from = i;
        take('-');
        if (take('0')) {
            if (i < b.length && b[i] >= '0' && b[i] <= '9') {
                i = from;
                return false; // a leading zero: not JSON
            }
        } else if (digits() == 0) {
            i = from;
            return false;
        }
        boolean integral = true;
        if (take('.')) {
            integral = false;
            if (digits() == 0) {
                i = from;
                return false;
            }
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            integral = false;
            i++;
            if (!take('+')) {
                take('-');
            }
            if (digits() == 0) {
                i = from;
                return false;
            }
        }
        if (i < b.length && !delimiter(b[i])) {
            i = from; // "1x", "1true": not a number here
            return false;
        }
        return integral;
    }

    /** An epoch or step: a whole number of up to 18 digits without sign, fraction or exponent; -1 when it is not one. */
    private long counter() {
        int from = i;
        if (number() && i > from && b[from] != '-' && i - from <= 18) {
            long n = 0;
            for (int k = from; k < i; k++) {
                n = n * 10 + (b[k] - '0');
            }
            return n;
        }
        return -1;
    }

    private int digits() {
        int from = i;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i - from;
    }

    /** A string of printable ASCII without escapes (its characters then at {@code from..to}); false when it is anything else. */
    private boolean string() {
        if (!take('"')) {
            return false;
        }
        int start = i;
        while (i < b.length && b[i] != '"') {
            if (b[i] < 0x20 || b[i] > 0x7E || b[i] == '\\') {
                return false;
            }
            i++;
        }
        if (i == b.length) {
            return false;
        }
        from = start;
        to = i++;
        return true;
    }

    private static boolean delimiter(byte c) {
        return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private boolean take(char c) {
        if (i < b.length && b[i] == c) {
            i++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
