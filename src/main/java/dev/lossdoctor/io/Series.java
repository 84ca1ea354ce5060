package dev.lossdoctor.io;

import java.util.Arrays;

/**
 * One metric's values in the order a log gave them, each at a position on the log's axis (a step,
 * or a row number when the log has none) and with its wall time (0 when the log has none). Kept as
 * primitive arrays: a TensorBoard run can log a loss at every one of a million steps.
 */
final class Series {

    final String name;
    private double[] x = new double[16];
    private double[] values = new double[16];
    private long[] millis = new long[16];
    private int size;

    Series(String name) {
        this.name = name;
    }

    void add(double position, double value, long wallMillis) {
        if (size == x.length) {
            x = Arrays.copyOf(x, size * 2);
            values = Arrays.copyOf(values, size * 2);
            millis = Arrays.copyOf(millis, size * 2);
        }
        x[size] = position;
        values[size] = value;
        millis[size] = wallMillis;
        size++;
    }

    int size() {
        return size;
    }

    double x(int i) {
        return x[i];
    }

    double value(int i) {
        return values[i];
    }

    long millis(int i) {
        return millis[i];
    }

    /** True when every position is the same (MLflow's step 0 on every line): then only the order says anything. */
    boolean flat() {
        for (int i = 1; i < size; i++) {
            if (x[i] != x[0]) {
                return false;
            }
        }
        return true;
    }

    /** Replaces each position by its place in the log, from 1. */
    void renumber() {
        for (int i = 0; i < size; i++) {
            x[i] = i + 1;
        }
    }

    /** Sorts by position, keeping the log's order among equal positions. */
    void sortStable() {
        for (int i = 1; i < size; i++) {
            if (x[i] < x[i - 1]) {
                Integer[] order = new Integer[size];
                for (int k = 0; k < size; k++) {
                    order[k] = k;
                }
                Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b])); // a stable merge sort on objects
                double[] nx = new double[size], nv = new double[size];
                long[] nm = new long[size];
                for (int k = 0; k < size; k++) {
                    nx[k] = x[order[k]];
                    nv[k] = values[order[k]];
                    nm[k] = millis[order[k]];
                }
                x = nx;
                values = nv;
                millis = nm;
                return;
            }
        }
    }

    /**
     * The index of the latest value at or before {@code position} (the last of equal positions), or
     * -1 when every value comes after it. The series must be sorted.
     */
    int latestAtOrBefore(double position) {
        int lo = 0, hi = size - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (x[mid] <= position) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
