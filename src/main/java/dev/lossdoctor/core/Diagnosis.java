package dev.lossdoctor.core;

import java.util.Locale;

/**
 * The diagnosis codes of DESIGN.md section 1: stable, lower snake case on the wire.
 *
 * <p>Each has a fixed numeric id, the form stored state keeps ({@link RunStateCodec}): never the
 * enum's {@code ordinal()}, which moves when a constant is added or reordered. An id is never
 * changed and never reused, not even for a diagnosis that is removed. Ids 0-11 are the ordinals
 * v0.1.0 wrote (format 1 stored those); 12 is {@code lagging}. Next free id: 13.
 */
public enum Diagnosis {
    WARMING_UP(0, Severity.INFO),
    LEARNING(1, Severity.INFO),
    CONVERGED(2, Severity.INFO),
    UNDERTRAINED(3, Severity.INFO),
    OVERFITTING(4, Severity.WARNING),
    PLATEAU(5, Severity.WARNING),
    DATA_ISSUE(6, Severity.WARNING),
    OSCILLATING(7, Severity.WARNING),
    UNDERFITTING(8, Severity.WARNING),
    STALLED(9, Severity.WARNING),
    MISCONFIGURED(10, Severity.WARNING),
    DIVERGING(11, Severity.CRITICAL),
    /** A run of a sweep worse than most of its siblings at the same epoch ({@link SweepStats}); not kept in a run's state. */
    LAGGING(12, Severity.WARNING);

    static final int LAGGING_ID = 12;

    private static final Diagnosis[] BY_ID = new Diagnosis[LAGGING_ID + 1];

    static {
        for (Diagnosis d : values()) {
            if (BY_ID[d.id] != null) {
                throw new ExceptionInInitializerError("diagnosis id " + d.id + " taken twice");
            }
            BY_ID[d.id] = d;
        }
    }

    private final int id;
    private final Severity severity;

    Diagnosis(int id, Severity severity) {
        this.id = id;
        this.severity = severity;
    }

    /** The stable id stored state keeps: never changed, never reused. */
    public int id() {
        return id;
    }

    /** The diagnosis of a stored id; {@link IllegalArgumentException} for an id this version does not know. */
    public static Diagnosis byId(int id) {
        Diagnosis d = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (d == null) {
            throw new IllegalArgumentException("unknown diagnosis id " + id);
        }
        return d;
    }

    public Severity severity() {
        return severity;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Diagnosis fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
