package dev.lossdoctor.service;

import static dev.lossdoctor.streams.Events.metrics;
import static dev.lossdoctor.streams.Events.runFinished;
import static dev.lossdoctor.streams.Events.runStarted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.StopAdvice;
import dev.lossdoctor.streams.Events;
import dev.lossdoctor.streams.RunStatusSerde;
import dev.lossdoctor.streams.LossDoctorTopology;
import dev.lossdoctor.streams.TopologyConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The domain meters, driven by the real topology. */
class DiagnosisMetersTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final long[] wallClock = {T0.plusSeconds(120).toEpochMilli()};
    private final DiagnosisMeters meters = new DiagnosisMeters(2, () -> wallClock[0]);
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> input;

    @BeforeEach
    void start() {
        meters.bindTo(registry);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "meters-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(LossDoctorTopology.build(TopologyConfig.defaults().withMetrics(meters)), props,
                T0.plusSeconds(120));
        input = driver.createInputTopic("training-metrics", new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private double runs(Diagnosis d) {
        return registry.get("lossdoctor.runs").tag("diagnosis", d.code()).gauge().value();
    }

    private double diagnoses(Diagnosis d) {
        return registry.get("lossdoctor.diagnoses").tag("diagnosis", d.code()).tag("severity", d.severity().code()).counter().count();
    }

    private Gauge runGauge(String name, String runId) {
        return registry.find(name).tag("run_id", runId).gauge();
    }

    private static Instant minute(int m) {
        return T0.plus(Duration.ofMinutes(m));
    }

    @Test
    void shouldExportEveryDiagnosisCodeAtZeroBeforeAnyRun() {
        for (Diagnosis d : Diagnosis.values()) {
            assertThat(runs(d)).as(d.code()).isZero();
            assertThat(diagnoses(d)).as(d.code()).isZero();
        }
        assertThat(registry.get("lossdoctor.processing.lag.seconds").gauge().value()).isNaN();
    }

    @Test
    void shouldCountEventsDiagnosesAndRunsByCurrentDiagnosis() {
        input.pipeInput("a", runStarted("a", T0), T0);
        input.pipeInput("b", runStarted("b", T0), T0);
        input.pipeInput("c", runStarted("c", T0, "{\"hidden_activation\":\"sigmoid\"}"), T0);
        input.pipeInput("bad", "{", T0);

        assertThat(registry.get("lossdoctor.events").tag("outcome", "accepted").counter().count()).isEqualTo(3);
        assertThat(registry.get("lossdoctor.events").tag("outcome", "rejected").counter().count()).isEqualTo(1);
        assertThat(runs(Diagnosis.WARMING_UP)).isEqualTo(2);
        assertThat(runs(Diagnosis.MISCONFIGURED)).isEqualTo(1);
        assertThat(diagnoses(Diagnosis.WARMING_UP)).isEqualTo(2);
        assertThat(diagnoses(Diagnosis.MISCONFIGURED)).isEqualTo(1);
    }

    @Test
    void shouldCountTheEpochsAndSecondsTrainedAfterTheAdviceToStopAsTheStatusSaysThem() {
        TestOutputTopic<String, RunStatus> statuses = driver.createOutputTopic("training-run-status", new StringDeserializer(),
                new RunStatusSerde().deserializer());
        input.pipeInput("a", runStarted("a", T0), T0);
        for (int e = 1; e <= 40; e++) {
            input.pipeInput("a", metrics("a", e, Events.trainLoss(e), Events.valLoss(e), minute(e)), minute(e));
        }

        StopAdvice.Spent spent = statuses.readKeyValuesToMap().get("a").afterStopAdvice();
        assertThat(spent).as("the run was advised to stop and trained on").isNotNull();
        assertThat(spent.epochs()).isPositive();
        assertThat(registry.get("lossdoctor.epochs.after.stop.advice").tag("diagnosis", spent.diagnosis().code()).counter().count())
                .isEqualTo(spent.epochs());
        assertThat(registry.get("lossdoctor.seconds.after.stop.advice").tag("diagnosis", spent.diagnosis().code()).counter().count())
                .isEqualTo(spent.seconds().doubleValue()).isEqualTo(spent.epochs() * 60.0);
        for (Diagnosis other : StopAdvice.ADVISED_BY) {
            if (other != spent.diagnosis()) {
                assertThat(registry.get("lossdoctor.epochs.after.stop.advice").tag("diagnosis", other.code()).counter().count())
                        .as(other.code()).isZero();
            }
        }
    }

    @Test
    void shouldMeasureProcessingLagFromTheLatestRecordTimestamp() {
        input.pipeInput("a", metrics("a", 1, 1.0, 1.1, minute(1)), minute(1));
        wallClock[0] = minute(1).plusSeconds(42).toEpochMilli();

        assertThat(registry.get("lossdoctor.processing.lag.seconds").gauge().value()).isEqualTo(42.0);
    }

    @Test
    void shouldKeepPerRunGaugesForAtMostMaxRunGaugesRunsAndCountTheOthers() {
        input.pipeInput("a", metrics("a", 3, 0.5, 0.75, T0), T0);
        input.pipeInput("b", metrics("b", 1, 1.0, 1.25, T0), T0);
        input.pipeInput("c", metrics("c", 1, 2.0, 2.25, T0), T0);

        assertThat(runGauge("lossdoctor.run.train.loss", "a").value()).isEqualTo(0.5);
        assertThat(runGauge("lossdoctor.run.val.loss", "a").value()).isEqualTo(0.75);
        assertThat(runGauge("lossdoctor.run.epoch", "a").value()).isEqualTo(3.0);
        assertThat(runGauge("lossdoctor.run.train.loss", "b").value()).isEqualTo(1.0);
        assertThat(registry.find("lossdoctor.run.train.loss").tag("run_id", "c").meters()).isEmpty();
        assertThat(registry.get("lossdoctor.run.gauges.dropped").counter().count()).isEqualTo(1);
        assertThat(meters.gaugedRuns()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void shouldGaugeARunsTrendsFromItsLatestFullStatus() {
        TestOutputTopic<String, RunStatus> statuses = driver.createOutputTopic("training-run-status", new StringDeserializer(),
                new RunStatusSerde().deserializer());
        input.pipeInput("a", metrics("a", 1, 2.0, 2.2, T0), T0);
        assertThat(runGauge("lossdoctor.run.train.loss.trend", "a").value()).as("not read yet").isNaN();

        // training keeps falling, validation turns up after epoch 10: at epoch 20 (a status) the
        // curves read training falling and validation rising
        for (int e = 2; e <= 20; e++) {
            double val = e <= 10 ? 2.2 / e : 0.22 + 0.04 * (e - 10);
            input.pipeInput("a", metrics("a", e, 2.0 / e, val, minute(e)), minute(e));
        }
        RunStatus latest = statuses.readKeyValuesToMap().get("a");
        assertThat(latest.trainTrend()).isEqualTo("falling");
        assertThat(latest.valTrend()).isEqualTo("rising");
        assertThat(runGauge("lossdoctor.run.train.loss.trend", "a").value()).isEqualTo(-1.0);
        assertThat(runGauge("lossdoctor.run.val.loss.trend", "a").value()).isEqualTo(1.0);
    }

    @Test
    void shouldReplaceARunsDiagnosisSeriesWhenItsDiagnosisChanges() {
        input.pipeInput("a", runStarted("a", T0), T0);
        input.pipeInput("b", runStarted("b", minute(20)), minute(20));
        assertThat(registry.find("lossdoctor.run.diagnosis").tag("run_id", "a").meters())
                .extracting(m -> m.getId().getTag("diagnosis")).containsExactly("warming_up");

        driver.advanceWallClockTime(Duration.ofMinutes(30)); // a silent for 32 minutes, b for 12

        assertThat(registry.find("lossdoctor.run.diagnosis").tag("run_id", "a").meters())
                .as("only the current diagnosis has a series")
                .extracting(m -> m.getId().getTag("diagnosis"), m -> m.getId().getTag("severity"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("stalled", "warning"));
        assertThat(registry.get("lossdoctor.run.diagnosis").tag("run_id", "a").gauge().value()).isEqualTo(1.0);
        assertThat(runs(Diagnosis.STALLED)).isEqualTo(1);
        assertThat(runs(Diagnosis.WARMING_UP)).isEqualTo(1);
        assertThat(diagnoses(Diagnosis.STALLED)).isEqualTo(1);
    }

    @Test
    void shouldRemoveAnEvictedRunsGaugesAndFreeItsSlot() {
        input.pipeInput("a", metrics("a", 1, 1.0, 1.1, T0), T0);
        input.pipeInput("a", runFinished("a", 1, minute(1)), minute(1));
        input.pipeInput("b", metrics("b", 1, 1.0, 1.1, minute(1)), minute(1));
        input.pipeInput("c", metrics("c", 1, 1.0, 1.1, minute(1)), minute(1));
        assertThat(meters.gaugedRuns()).containsExactlyInAnyOrder("a", "b");

        driver.advanceWallClockTime(Duration.ofMinutes(10)); // 'a' finished 11 minutes ago

        assertThat(registry.find("lossdoctor.run.train.loss").tag("run_id", "a").meters()).isEmpty();
        assertThat(registry.find("lossdoctor.run.diagnosis").tag("run_id", "a").meters()).isEmpty();
        assertThat(registry.get("lossdoctor.runs.evicted").tag("reason", "finished").counter().count()).isEqualTo(1);
        assertThat(runs(Diagnosis.WARMING_UP)).as("b and c").isEqualTo(2);

        input.pipeInput("c", metrics("c", 2, 0.5, 0.9, minute(12)), minute(12));
        assertThat(runGauge("lossdoctor.run.train.loss", "c").value()).isEqualTo(0.5);
        assertThat(registry.getMeters()).extracting(Meter::getId).filteredOn(id -> "a".equals(id.getTag("run_id"))).isEmpty();
    }
}
