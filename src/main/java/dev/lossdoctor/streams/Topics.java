package dev.lossdoctor.streams;

import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunStatus;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The four topics of DESIGN.md section 2. The input and its dead-letter topic are read and
 * written as raw bytes: a rejected record must reach the DLQ exactly as it came.
 */
public record Topics(
        Topic<byte[], byte[]> metrics,
        Topic<String, DiagnosisEvent> diagnoses,
        Topic<String, RunStatus> status,
        Topic<byte[], byte[]> dlq) {

    public static final String METRICS = "training-metrics";
    public static final String DIAGNOSES = "training-diagnoses";
    public static final String STATUS = "training-run-status";
    public static final String DLQ = "training-metrics-dlq";

    public static Topics named(String metrics, String diagnoses, String status, String dlq) {
        return new Topics(
                new Topic<>(metrics, Serdes.ByteArray(), Serdes.ByteArray()),
                new Topic<>(diagnoses, Serdes.String(), new DiagnosisEventSerde()),
                new Topic<>(status, Serdes.String(), new RunStatusSerde()),
                new Topic<>(dlq, Serdes.ByteArray(), Serdes.ByteArray()));
    }

    public static Topics defaults() {
        return named(METRICS, DIAGNOSES, STATUS, DLQ);
    }
}
