package dev.lossdoctor.streams;

import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Optional CloudEvents 1.0 attributes on the records Loss Doctor publishes, in the binary content
 * mode of the CloudEvents Kafka protocol binding: the value stays the plain JSON event, each
 * attribute is a {@code ce_} header (UTF-8) and {@code content-type} is the data's media type. So a
 * CloudEvents SDK reads the records as events and everyone else sees no change. Every attribute
 * comes from the record (its run, its diagnosis, its timestamp), never from the clock or a random
 * source: reprocessing gives the same {@code ce_id}, which consumers can de-duplicate on.
 * Documented in {@code docs/schemas/cloudevents-headers.schema.json}.
 */
public final class CloudEventsHeaders {

    public static final String SPECVERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String CONTENT_TYPE = "content-type";

    /** The type of a diagnosis event; its version follows the major version of its JSON Schema. */
    public static final String DIAGNOSIS_TYPE = "dev.lossdoctor.diagnosis.v1";
    public static final String RUN_STATUS_TYPE = "dev.lossdoctor.run_status.v1";

    /** No headers: the default. */
    public static final CloudEventsHeaders OFF = new CloudEventsHeaders(null);

    private final String source;

    private CloudEventsHeaders(String source) {
        this.source = source;
    }

    /** Headers naming {@code /loss-doctor/<applicationId>} as the events' source. */
    public static CloudEventsHeaders forApplication(String applicationId) {
        Objects.requireNonNull(applicationId, "applicationId");
        return new CloudEventsHeaders("/loss-doctor/" + applicationId);
    }

    public boolean enabled() {
        return source != null;
    }

    /** The headers of a diagnosis event published at {@code timestamp} (empty when off). */
    public Headers diagnosis(DiagnosisEvent e, long timestamp) {
        if (!enabled()) {
            return new RecordHeaders();
        }
        String id = e.runId() + "/" + e.diagnosis().code() + "/" + orDash(e.epoch()) + "/" + orDash(e.step()) + "/" + timestamp;
        return headers(DIAGNOSIS_TYPE, id, e.runId(), timestamp);
    }

    /** The headers of a run's status published at {@code timestamp} (empty when off). */
    public Headers status(RunStatus s, long timestamp) {
        if (!enabled()) {
            return new RecordHeaders();
        }
        String id = s.runId() + "/status/" + s.points() + "/" + s.diagnosis().code() + "/" + timestamp;
        return headers(RUN_STATUS_TYPE, id, s.runId(), timestamp);
    }

    private Headers headers(String type, String id, String runId, long timestamp) {
        Headers h = new RecordHeaders();
        h.add(SPECVERSION, utf8("1.0"));
        h.add(ID, utf8(id));
        h.add(SOURCE, utf8(source));
        h.add(TYPE, utf8(type));
        h.add(TIME, utf8(Instant.ofEpochMilli(timestamp).toString()));
        h.add(SUBJECT, utf8(runId));
        h.add(CONTENT_TYPE, utf8("application/json"));
        return h;
    }

    private static String orDash(Long n) {
        return n == null ? "-" : n.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return enabled() ? "CloudEvents headers (source " + source + ")" : "no CloudEvents headers";
    }
}
