package dev.lossdoctor.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.Forecast;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunConfig;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStateCodec;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.TrainingEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SerdesTest {

    private static final Instant T = Instant.parse("2026-11-26T10:12:00.123Z");

    private static <T> T roundTrip(BaseSerde<T> serde, T value) {
        return serde.deserialize("t", serde.serialize("t", value));
    }

    @Test
    void shouldCarryEveryKindOfTrainingEventThroughTheRepartitionTopicUnchanged() {
        TrainingEventSerde serde = new TrainingEventSerde();
        List<TrainingEvent> events = List.of(
                new RunStarted("r/1", T, new RunConfig("adam", 0.001, 32, "classification", "cross_entropy", "softmax",
                        "relu", 100, 10, "resnet18", "cifar10")),
                new RunStarted("r/1", T, RunConfig.EMPTY),
                new RunStarted("r/1", T, RunConfig.EMPTY, null, 14.0, 5600L),
                new RunStarted("r/1", T, RunConfig.EMPTY, null, 2.5, null),
                new RunStarted("r/1", T, RunConfig.EMPTY, null, null, 700L),
                new MetricsReported("r/1", 12L, 4800L, T, Map.of("train_loss", 0.51, "val_loss", Double.NaN,
                        "val_accuracy", 0.79, "grad_norm", Double.POSITIVE_INFINITY, "score", Double.NEGATIVE_INFINITY)),
                new MetricsReported("r/1", null, 7L, T, Map.of("train_loss", 1.0)),
                new MetricsReported("r/1", 0L, 500L, T, Map.of("train_loss", 0.71, "lr", 4.0e-5), 0.25),
                new MetricsReported("r/1", 2L, 5999L, T, Map.of("val_loss", 0.9), 2.9996666666666667),
                new RunFinished("r/1", 40L, "completed", T),
                new RunFinished("r/1", null, null, T));

        for (TrainingEvent e : events) {
            assertThat(roundTrip(serde, e)).isEqualTo(e);
        }
    }

    @Test
    void shouldReadBackTheStatusAndDiagnosisJsonItWrites() {
        RunStatus status = new RunStatus("r1", Diagnosis.OVERFITTING, 14L, 17L, 6800L, 0.31, 0.72, "falling", "rising",
                14L, 0.61, "Validation loss has risen.", List.of("Stop training"), false, 18, T,
                List.of(new RunStatus.CurvePoint(16L, 6400L, 0.33, 0.7), new RunStatus.CurvePoint(17L, 6800L, 0.31, null)),
                new Forecast(90, 0.412, 0.401, 0.425, 41, 37, false, false));
        assertThat(roundTrip(new RunStatusSerde(), status)).isEqualTo(status);
        RunStatus restarted = new RunStatus("r1", Diagnosis.LEARNING, 15L, 17L, 6800L, 0.31, 0.52, "falling", "falling",
                17L, 0.52, "Learning again.", List.of(), false, 17, T, List.of(), null, null, null, null, 2);
        assertThat(roundTrip(new RunStatusSerde(), restarted)).isEqualTo(restarted);
        assertThat(new String(new RunStatusSerde().serialize("t", restarted), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"restarts\":2");
        assertThat(new String(new RunStatusSerde().serialize("t", status), java.nio.charset.StandardCharsets.UTF_8))
                .as("never restarted: not sent").doesNotContain("restarts");

        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("val_best_epoch", 14);
        evidence.put("train_loss_trend", "falling");
        DiagnosisEvent event = new DiagnosisEvent("r1", 17L, 6800L, Diagnosis.OVERFITTING, Diagnosis.LEARNING, 14L, 0.93,
                "Validation loss has risen.", List.of("Stop training", "Add data augmentation"), evidence, T);
        assertThat(roundTrip(new DiagnosisEventSerde(), event)).isEqualTo(event);
    }

    @Test
    void shouldReadARunStateItCanNotDecodeAsNoStateSoTheRunStartsFresh() {
        RunStateSerde serde = new RunStateSerde();
        RunState state = new RunState("r1");
        assertThat(RunStateCodec.decode(serde.serialize("t", state))).isEqualTo(state);

        assertThat(serde.deserialize("t", new byte[] {99, 1, 2})).as("an unknown format version").isNull();
        assertThat(serde.deserialize("t", new byte[] {1})).as("truncated").isNull();
    }

    @Test
    void shouldPassNullsThroughAndFailAsSerializationException() {
        assertThat(new RunStatusSerde().serialize("t", null)).isNull();
        assertThat(new RunStatusSerde().deserialize("t", null)).isNull();
        assertThatThrownBy(() -> new RunStatusSerde().deserialize("t", "{".getBytes()))
                .isInstanceOf(SerializationException.class).hasMessageContaining("can't read run status from t");
        assertThatThrownBy(() -> new TrainingEventSerde().deserialize("t", "{\"epoch\":1}".getBytes()))
                .isInstanceOf(SerializationException.class).hasMessageContaining("no run id");
    }
}
