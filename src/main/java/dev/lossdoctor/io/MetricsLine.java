package dev.lossdoctor.io;

import com.fasterxml.jackson.core.io.NumberInput;

/**
 * The one event shape trainers send nearly always, read straight from its bytes: a flat object of
 * {@code type} ("metrics"), {@code run_id}, {@code epoch}, {@code step}, {@code timestamp} and a
 * {@code metrics} object of plain numbers, each field once, every string printable ASCII without
 * escapes. Anything else (another field or shape, an escape, a non-numeric value, a number in a
 * form other than JSON's strict one, a name given twice) is left to the general reader: {@link
 * #read} then says null, and the parser reads the record as before. So what this reads is what the
 * general reader would read; {@code TokenReaderProperties} checks that on any input.
 */
final class MetricsLine {

    /** The fields read; null where the line had none. */
    String type, runId, timestamp;
    long epoch = -1, step = -1;
    String[] names = new String[8];
    double[] values = new double[8];
    int metrics = -1;

    private final byte[] b;
    private int i;

    private MetricsLine(byte[] b) {
        this.b = b;
    }

    /** The fields of a line of the common shape, or null when it is not one. */
    static MetricsLine read(byte[] value) {
        MetricsLine m = new MetricsLine(value);
        return m.object() ? m : null;
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
            String name = string();
            if (name == null) {
                return false;
            }
            skipSpace();
            if (!take(':')) {
                return false;
            }
            skipSpace();
            if (!field(name)) {
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

    private boolean field(String name) {
        switch (name) {
            case "type" -> {
                return type == null && (type = string()) != null;
            }
            case "run_id" -> {
                return runId == null && (runId = string()) != null;
            }
            case "timestamp" -> {
                return timestamp == null && (timestamp = string()) != null;
            }
            case "epoch" -> {
                return epoch < 0 && (epoch = counter()) >= 0;
            }
            case "step" -> {
                return step < 0 && (step = counter()) >= 0;
            }
            case "metrics" -> {
                return metrics < 0 && metrics();
            }
            default -> {
                return false;
            }
        }
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
            String name = string();
            if (name == null) {
                return false;
            }
            for (int k = 0; k < metrics; k++) {
                if (names[k].equals(name)) {
                    return false;
                }
            }
            skipSpace();
            if (!take(':')) {
                return false;
            }
            skipSpace();
            int from = i;
            boolean integral = number();
            if (i == from) {
                return false;
            }
            double v;
            if (integral) {
                if (i - from > 18) {
                    return false; // past a long: the general reader's big integer
                }
                v = (double) Long.parseLong(new String(b, from, i - from, java.nio.charset.StandardCharsets.US_ASCII));
            } else {
                if (i - from > 60) {
                    return false;
                }
                // Jackson's fast reader, as the token reader's: correctly rounded like Double.parseDouble, and faster
                v = NumberInput.parseDouble(new String(b, from, i - from, java.nio.charset.StandardCharsets.US_ASCII), true);
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

    /** A string of printable ASCII without escapes; null when it is anything else. */
    private String string() {
        if (!take('"')) {
            return null;
        }
        int from = i;
        while (i < b.length && b[i] != '"') {
            if (b[i] < 0x20 || b[i] > 0x7E || b[i] == '\\') {
                return null;
            }
            i++;
        }
        if (i == b.length) {
            return null;
        }
        return new String(b, from, i++ - from, java.nio.charset.StandardCharsets.US_ASCII);
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
}
