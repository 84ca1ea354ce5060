package dev.lossdoctor.core;

/**
 * When a new diagnosis is said: it must be read at the last few prefixes of the curve (three for a
 * healthy one, two to move from one problem to another, one for a healthy run's first problem);
 * diverging at once. A reading on the line between two diagnoses keeps whichever of them was said.
 * And over time: once a run has said its first diagnosis and its first problem, a later one waits
 * until what was said has stood for a share of the run ({@link RunState#dwelling()}): a long noisy
 * run meets some other reading's thresholds now and then, and is judged over a long stretch.
 * The readings are kept in {@link RunState#readings}, the newest last (null: none yet).
 */
final class Hysteresis {

    private Hysteresis() {
    }

    /** The diagnosis to say now, or null when the readings do not call for one. */
    static Diagnosis settle(RawReading[] readings, Diagnosis current) {
        return settle(readings, current, false);
    }

    /**
     * The diagnosis to say now; {@code dwelling}: what was said is still within its time to stand
     * ({@link RunState#dwelling()}), so only diverging may replace it.
     */
    static Diagnosis settle(RawReading[] readings, Diagnosis current, boolean dwelling) {
        int count = readings.length;
        RawReading newestReading = readings[count - 1];
        if (newestReading == null) {
            return null;
        }
        Diagnosis newest = newestReading.meaning(current);
        if (newest == Diagnosis.DIVERGING || newest == Diagnosis.WARMING_UP || current == null) {
            return newest;
        }
        if (dwelling) {
            return null;
        }
        // a healthy run is told of its first problem at the first reading (lag matters most then);
        // moving between problems takes two, back to healthy three
        int needed = newest.severity() == Severity.INFO ? count
                : current.severity() == Severity.INFO ? 1 : count - 1;
        for (int i = count - needed; i < count - 1; i++) {
            if (readings[i] == null || readings[i].meaning(current) != newest) {
                return null;
            }
        }
        return newest;
    }

    /**
     * The diagnosis the readings agree on, or null while they don't (or one sits on the line between
     * two): a function of the points alone.
     */
    static Diagnosis settled(RawReading[] readings) {
        RawReading r = readings[readings.length - 1];
        for (RawReading other : readings) {
            if (other == null || !other.equals(r) || !other.definite()) {
                return null;
            }
        }
        return r.diagnosis();
    }
}
