package dev.lossdoctor.core;

import java.util.Locale;

/** Where a curve is heading, decided against its own noise and scale. */
public enum Trend {
    FALLING, FLAT, RISING;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
