package dev.lossdoctor.streams;

import dev.lossdoctor.core.TrainingEvent;

/** An input record after parsing: an event, or the original value bytes of a rejected record. */
sealed interface Parsed {

    record Accepted(TrainingEvent event) implements Parsed {
    }

    record Rejected(byte[] value) implements Parsed {
    }
}
