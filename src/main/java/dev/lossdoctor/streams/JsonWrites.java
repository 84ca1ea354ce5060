package dev.lossdoctor.streams;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.lossdoctor.io.Json;

/**
 * How the serdes write the JSON trees of {@link Json}: straight to UTF-8 bytes (no String in
 * between) and with Jackson's Schubfach double writer, which prints the shortest text that reads
 * back as the same double. The profile of the full topology showed the JDK 17 {@code Double.toString}
 * of the status curve as its hottest frame; the numbers read back are the same.
 */
final class JsonWrites {

    static final ObjectWriter BYTES = Json.MAPPER.writer().with(StreamWriteFeature.USE_FAST_DOUBLE_WRITER);

    private JsonWrites() {
    }
}
