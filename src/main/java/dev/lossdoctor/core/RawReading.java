package dev.lossdoctor.core;

/**
 * The raw diagnosis read at one prefix of a curve, as the hysteresis keeps it ({@link Hysteresis}):
 * the diagnosis, and for a reading on the line between two diagnoses, which one said before may
 * stand instead.
 *
 * @param diagnosis  what the rules found
 * @param orElse     on the line between {@code diagnosis} and this one: whichever of the two was said stands
 * @param keepsStill a learning reading too weak to end a still state: any of converged, plateau,
 *                   underfitting (or learning) said before stands
 */
record RawReading(Diagnosis diagnosis, Diagnosis orElse, boolean keepsStill) {

    static RawReading of(Finding f) {
        return f.keepsStill() ? new RawReading(f.diagnosis(), null, true) : new RawReading(f.diagnosis(), f.orElse(), false);
    }

    static RawReading of(Diagnosis d) {
        return new RawReading(d, null, false);
    }

    /** What this reading means given what was said: the diagnosis, or the one said when the reading allows both. */
    Diagnosis meaning(Diagnosis said) {
        if (keepsStill) {
            return said != null && still(said) ? said : diagnosis;
        }
        if (orElse != null && said != null && (said == diagnosis || said == orElse)) {
            return said;
        }
        return diagnosis;
    }

    /** A reading that allows one diagnosis only. */
    boolean definite() {
        return orElse == null && !keepsStill;
    }

    private static boolean still(Diagnosis d) {
        return d == Diagnosis.CONVERGED || d == Diagnosis.PLATEAU || d == Diagnosis.UNDERFITTING || d == Diagnosis.LEARNING;
    }
}
