package dev.lossdoctor.io;

import dev.lossdoctor.core.TrainingEvent;

/** A record read: either a usable event or the reason it can't be used. */
public sealed interface ParseResult {

    record Accepted(TrainingEvent event) implements ParseResult {
    }

    record Rejected(String reason) implements ParseResult {
    }
}
