package dev.lossdoctor.streams;

import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses and validates each input record ({@link EventParser}, which never throws). A rejected
 * record keeps its key, value and headers, and gains headers saying why and where it came from,
 * for the dead-letter topic.
 */
final class ParseProcessor extends ContextualFixedKeyProcessor<byte[], byte[], Parsed> {

    private static final Logger log = LoggerFactory.getLogger(ParseProcessor.class);

    private final EventParser parser = new EventParser();
    private final AnalysisMetrics metrics;

    private ParseProcessor(AnalysisMetrics metrics) {
        this.metrics = metrics;
    }

    static FixedKeyProcessorSupplier<byte[], byte[], Parsed> supplier(AnalysisMetrics metrics) {
        return () -> new ParseProcessor(metrics);
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        String key = runId(record.key());
        ParseResult result = parser.parse(key, record.value(), Instant.ofEpochMilli(record.timestamp()));
        if (result instanceof ParseResult.Accepted accepted) {
            metrics.accepted();
            context().forward(record.withValue(new Parsed.Accepted(accepted.event())));
            return;
        }
        String reason = ((ParseResult.Rejected) result).reason();
        RecordMetadata origin = context().recordMetadata().orElse(null);
        String topic = origin == null ? "" : origin.topic();
        String partition = origin == null ? "" : Integer.toString(origin.partition());
        String offset = origin == null ? "" : Long.toString(origin.offset());
        log.warn("Rejected record {}-{}@{} to the dead-letter topic: {}", topic, partition, offset, reason);
        metrics.rejected(reason);
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(LossDoctorTopology.ERROR_REASON_HEADER, utf8(reason));
        headers.add(LossDoctorTopology.ERROR_TOPIC_HEADER, utf8(topic));
        headers.add(LossDoctorTopology.ERROR_PARTITION_HEADER, utf8(partition));
        headers.add(LossDoctorTopology.ERROR_OFFSET_HEADER, utf8(offset));
        context().forward(record.withValue((Parsed) new Parsed.Rejected(record.value())).withHeaders(headers));
    }

    /**
     * The run ids of the keys lately read, by their bytes, in a table indexed by the bytes' hash: a
     * run's records share one string (and its cached hash for the stores' maps downstream), made once
     * rather than per record. A key in a taken slot takes its place.
     */
    private final byte[][] keyBytes = new byte[1024][];
    private final String[] keyRunIds = new String[keyBytes.length];

    /** The run id a record key gives; null for no key (an empty key is none: the run id then comes from the value). */
    private String runId(byte[] key) {
        if (key == null || key.length == 0) {
            return null;
        }
        int hash = Arrays.hashCode(key);
        int slot = (hash ^ hash >>> 16) & (keyBytes.length - 1);
        if (Arrays.equals(keyBytes[slot], key)) {
            return keyRunIds[slot];
        }
        String runId = new String(key, StandardCharsets.UTF_8);
        keyBytes[slot] = key.clone();
        keyRunIds[slot] = runId;
        return runId;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
