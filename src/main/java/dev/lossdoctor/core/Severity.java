package dev.lossdoctor.core;

import java.util.Locale;

/** How urgently a diagnosis asks for attention; alerts and the dashboard colour by it. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
