package dev.lossdoctor.streams;

import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
        // an empty key is no key: the run id then comes from the value
        String key = record.key() == null || record.key().length == 0 ? null : new String(record.key(), StandardCharsets.UTF_8);
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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
