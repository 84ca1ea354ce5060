package dev.lossdoctor.core;

import java.util.Locale;

/** The diagnosis codes of DESIGN.md section 1: stable, lower snake case on the wire. */
public enum Diagnosis {
    WARMING_UP(Severity.INFO),
    LEARNING(Severity.INFO),
    CONVERGED(Severity.INFO),
    UNDERTRAINED(Severity.INFO),
    OVERFITTING(Severity.WARNING),
    PLATEAU(Severity.WARNING),
    DATA_ISSUE(Severity.WARNING),
    OSCILLATING(Severity.WARNING),
    UNDERFITTING(Severity.WARNING),
    STALLED(Severity.WARNING),
    MISCONFIGURED(Severity.WARNING),
    DIVERGING(Severity.CRITICAL);

    private final Severity severity;

    Diagnosis(Severity severity) {
        this.severity = severity;
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
