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
 * @param keepsAny   a reading during a loss spike's time to recover: any diagnosis of the curve said stands
 */
record RawReading(Diagnosis diagnosis, Diagnosis orElse, boolean keepsStill, boolean keepsAny) {

    /**
     * Every possible reading, made once: a state keeps references to these few shared values (no
     * allocation per point, and the readings of a thousand runs share a few cache lines).
     */
    private static final RawReading[][] SHARED = new RawReading[Diagnosis.values().length][Diagnosis.values().length + 3];
    private static final int KEEPS_ANY = Diagnosis.values().length + 2;

    static {
        for (Diagnosis d : Diagnosis.values()) {
            SHARED[d.ordinal()][0] = new RawReading(d, null, false, false);
            SHARED[d.ordinal()][1] = new RawReading(d, null, true, false);
            SHARED[d.ordinal()][KEEPS_ANY] = new RawReading(d, null, false, true);
            for (Diagnosis other : Diagnosis.values()) {
                SHARED[d.ordinal()][other.ordinal() + 2] = new RawReading(d, other, false, false);
            }
        }
    }

    /** The shared reading (a learning reading that keeps a still state has no other diagnosis). */
    static RawReading of(Diagnosis d, Diagnosis orElse, boolean keepsStill) {
        return SHARED[d.ordinal()][keepsStill ? 1 : orElse == null ? 0 : orElse.ordinal() + 2];
    }

    /** A reading during a spike's time to recover: whatever diagnosis of the curve was said stands. */
    static RawReading keepingAny(Diagnosis d) {
        return SHARED[d.ordinal()][KEEPS_ANY];
    }

    static RawReading of(Finding f) {
        if (f.why() == Finding.Why.SPIKE_PENDING) {
            return keepingAny(f.diagnosis());
        }
        return f.keepsStill() ? of(f.diagnosis(), null, true) : of(f.diagnosis(), f.orElse(), false);
    }

    static RawReading of(Diagnosis d) {
        return of(d, null, false);
    }

    /** What this reading means given what was said: the diagnosis, or the one said when the reading allows both. */
    Diagnosis meaning(Diagnosis said) {
        if (keepsAny) {
            return said != null && RunState.ofTheCurve(said) ? said : diagnosis;
        }
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
        return orElse == null && !keepsStill && !keepsAny;
    }

    private static boolean still(Diagnosis d) {
        return d == Diagnosis.CONVERGED || d == Diagnosis.PLATEAU || d == Diagnosis.UNDERFITTING || d == Diagnosis.LEARNING;
    }

    /**
     * A reading as state format 1 stored it ({@link RunStateCodec}), in a byte: the diagnosis id in the low four bits; in the high four, for a
     * reading on the line between two diagnoses, the other one's id + 1, or 15 for a learning reading
     * that keeps a still state; 0xFF for no reading.
     */
    static RawReading ofFormat1(byte b) {
        if (b == -1) {
            return null;
        }
        Diagnosis d = Diagnosis.byId(b & 0x0F);
        int other = (b >> 4) & 0x0F;
        if (other == 15) {
            return RawReading.of(d, null, true);
        }
        return RawReading.of(d, other == 0 ? null : Diagnosis.byId(other - 1), false);
    }
}
