package dev.lossdoctor.streams;

import static dev.lossdoctor.streams.Events.metrics;
import static dev.lossdoctor.streams.Events.runFinished;
import static dev.lossdoctor.streams.Events.runStarted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.Severity;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.streams.AnalysisMetrics.Release;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole topology, through {@link TopologyTestDriver}, with fixed timestamps and a fixed wall clock. */
class LossDoctorTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path stateDir;

    private final RecordingMetrics recorded = new RecordingMetrics();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> input;
    private TestInputTopic<byte[], byte[]> rawInput;
    private TestOutputTopic<String, DiagnosisEvent> diagnoses;
    private TestOutputTopic<String, RunStatus> statuses;
    private TestOutputTopic<byte[], byte[]> dlq;
    private KeyValueStore<String, RunState> store;

    private void start(TopologyConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "loss-doctor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // the wall clock starts two minutes after T0, as if the records had just arrived
        driver = new TopologyTestDriver(LossDoctorTopology.build(config.withMetrics(recorded)), props, T0.plusSeconds(120));
        Topics topics = config.topics();
        input = driver.createInputTopic(topics.metrics().name(), new StringSerializer(), new StringSerializer());
        rawInput = driver.createInputTopic(topics.metrics().name(), new ByteArraySerializer(), new ByteArraySerializer());
        diagnoses = driver.createOutputTopic(topics.diagnoses().name(), topics.diagnoses().keySerde().deserializer(),
                topics.diagnoses().valueSerde().deserializer());
        statuses = driver.createOutputTopic(topics.status().name(), topics.status().keySerde().deserializer(),
                topics.status().valueSerde().deserializer());
        dlq = driver.createOutputTopic(topics.dlq().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        store = driver.getKeyValueStore(LossDoctorTopology.RUN_STATE_STORE);
    }

    private void start() {
        start(TopologyConfig.defaults());
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(String runId, String json, Instant at) {
        input.pipeInput(runId, json, at);
    }

    private static Instant minute(int m) {
        return T0.plus(Duration.ofMinutes(m));
    }

    @Test
    void shouldReportWarmingUpWhenARunStartsAndPublishItsStatus() {
        start();

        send("r1", runStarted("r1", T0), T0);

        List<KeyValue<String, DiagnosisEvent>> events = diagnoses.readKeyValuesToList();
        assertThat(events).singleElement().satisfies(kv -> {
            assertThat(kv.key).isEqualTo("r1");
            assertThat(kv.value.runId()).isEqualTo("r1");
            assertThat(kv.value.diagnosis()).isEqualTo(Diagnosis.WARMING_UP);
            assertThat(kv.value.previous()).isNull();
            assertThat(kv.value.severity()).isEqualTo(Severity.INFO);
            assertThat(kv.value.timestamp()).isEqualTo(T0);
        });
        Map<String, RunStatus> latest = statuses.readKeyValuesToMap();
        assertThat(latest).containsOnlyKeys("r1");
        assertThat(latest.get("r1").diagnosis()).isEqualTo(Diagnosis.WARMING_UP);
        assertThat(latest.get("r1").finished()).isFalse();
        assertThat(store.get("r1").config().optimizer()).isEqualTo("adam");
    }

    @Test
    void shouldReportMisconfiguredWhenHiddenLayersUseSigmoid() {
        start();

        send("r1", runStarted("r1", T0, "{\"hidden_activation\":\"sigmoid\",\"optimizer\":\"sgd\"}"), T0);

        DiagnosisEvent event = diagnoses.readValue();
        assertThat(event.diagnosis()).isEqualTo(Diagnosis.MISCONFIGURED);
        assertThat(event.severity()).isEqualTo(Severity.WARNING);
        assertThat(event.summary()).contains("sigmoid");
        assertThat(event.evidence()).containsKey("config_problems");
        assertThat(statuses.readKeyValuesToMap().get("r1").diagnosis()).isEqualTo(Diagnosis.MISCONFIGURED);
    }

    @Test
    void shouldDiagnoseDivergingAtOnceWhenTheLossBecomesNaN() {
        start();

        send("r1", runStarted("r1", T0), T0);
        send("r1", metrics("r1", 1, 2.30, 2.31, minute(1)), minute(1));
        send("r1", metrics("r1", 2, 2.10, 2.15, minute(2)), minute(2));
        send("r1", metrics("r1", 3, Double.NaN, 2.20, minute(3)), minute(3));

        List<DiagnosisEvent> events = diagnoses.readValuesToList();
        assertThat(events).extracting(DiagnosisEvent::diagnosis)
                .containsExactly(Diagnosis.WARMING_UP, Diagnosis.DIVERGING);
        DiagnosisEvent diverging = events.get(1);
        assertThat(diverging.runId()).isEqualTo("r1");
        assertThat(diverging.epoch()).isEqualTo(3L);
        assertThat(diverging.previous()).isEqualTo(Diagnosis.WARMING_UP);
        assertThat(diverging.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(diverging.evidence()).isNotEmpty();
        assertThat(diverging.summary()).isNotBlank();
        assertThat(diverging.timestamp()).isEqualTo(minute(3));
        RunStatus status = statuses.readKeyValuesToMap().get("r1");
        assertThat(status.diagnosis()).isEqualTo(Diagnosis.DIVERGING);
        assertThat(status.epoch()).isEqualTo(3L);
        assertThat(status.trainLoss()).as("a non-finite loss has no number").isNull();
    }

    @Test
    void shouldDiagnoseARealOverfittingRunEventForEventAsTheOfflineAnalysisDoes() {
        start();
        List<String> lines = OfflineAnalysis.lines(OfflineAnalysis.OVERFITTING_RUN);
        String runId = Json.read(lines.get(0)).get("run_id").asText();

        for (int i = 0; i < lines.size(); i++) {
            send(runId, lines.get(i), T0.plusSeconds(i));
        }

        List<DiagnosisEvent> streamed = diagnoses.readValuesToList();
        assertThat(OfflineAnalysis.json(streamed))
                .isEqualTo(OfflineAnalysis.json(OfflineAnalysis.diagnoses(OfflineAnalysis.OVERFITTING_RUN)));
        assertThat(streamed).extracting(DiagnosisEvent::diagnosis).contains(Diagnosis.OVERFITTING);
        DiagnosisEvent overfitting = streamed.stream().filter(e -> e.diagnosis() == Diagnosis.OVERFITTING).findFirst().orElseThrow();
        assertThat(overfitting.previous()).isEqualTo(Diagnosis.LEARNING);
        assertThat(overfitting.severity()).isEqualTo(Severity.WARNING);
        assertThat(overfitting.evidence()).isNotEmpty();
        assertThat(overfitting.recommendations()).isNotEmpty();
        assertThat(statuses.readKeyValuesToMap().get(runId).finished()).isTrue();
    }

    @Test
    void shouldSayTheSameWithTheStatesInMemory() {
        List<String> lines = OfflineAnalysis.lines(OfflineAnalysis.OVERFITTING_RUN);
        String runId = Json.read(lines.get(0)).get("run_id").asText();
        start(TopologyConfig.defaults().withStateStore(TopologyConfig.StateStore.MEMORY));
        for (int i = 0; i < lines.size(); i++) {
            send(runId, lines.get(i), T0.plusSeconds(i));
        }

        assertThat(OfflineAnalysis.json(diagnoses.readValuesToList()))
                .isEqualTo(OfflineAnalysis.json(OfflineAnalysis.diagnoses(OfflineAnalysis.OVERFITTING_RUN)));
        assertThat(store.get(runId).points()).isEqualTo(lines.size() - 2); // all but the start and the finish
        assertThat(store.get(runId).finished()).isTrue();
    }

    @Test
    void shouldSendUnusableRecordsToTheDeadLetterTopicUnchangedAndKeepGoing() {
        start();
        String longId = "x".repeat(257);
        byte[] notJson = {'{', 'o', 'o', 'p', 's', (byte) 0xff};
        RecordHeaders traced = new RecordHeaders();
        traced.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));

        rawInput.pipeInput(new TestRecord<>("r0".getBytes(StandardCharsets.UTF_8), notJson, traced, T0));
        send(null, "{\"epoch\":1,\"train_loss\":0.5}", T0);
        send("r2", "{\"run_id\":\"r2\",\"epoch\":\"one\",\"train_loss\":0.5}", T0);
        send(longId, metrics(longId, 1, 0.5, 0.6, T0), T0);
        send("ok", runStarted("ok", T0), T0);

        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(4);
        assertThat(dead.get(0).key()).isEqualTo("r0".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.get(0).value()).as("the original bytes").isEqualTo(notJson);
        assertThat(header(dead.get(0), "trace-id")).as("the original headers are kept").isEqualTo("abc");
        assertThat(dead.get(1).key()).isNull();
        assertThat(new String(dead.get(1).value(), StandardCharsets.UTF_8)).isEqualTo("{\"epoch\":1,\"train_loss\":0.5}");
        assertThat(dead).extracting(r -> header(r, LossDoctorTopology.ERROR_TOPIC_HEADER),
                        r -> header(r, LossDoctorTopology.ERROR_PARTITION_HEADER),
                        r -> header(r, LossDoctorTopology.ERROR_OFFSET_HEADER))
                .containsExactly(tuple(Topics.METRICS, "0", "0"), tuple(Topics.METRICS, "0", "1"),
                        tuple(Topics.METRICS, "0", "2"), tuple(Topics.METRICS, "0", "3"));
        assertThat(dead).extracting(r -> header(r, LossDoctorTopology.ERROR_REASON_HEADER))
                .satisfiesExactly(
                        reason -> assertThat(reason).startsWith("not JSON"),
                        reason -> assertThat(reason).contains("no run id"),
                        reason -> assertThat(reason).contains("epoch"),
                        reason -> assertThat(reason).contains("over the limit of 256"));
        assertThat(recorded.rejectedReasons).hasSize(4);

        assertThat(diagnoses.readKeyValuesToList()).extracting(kv -> kv.key, kv -> kv.value.diagnosis())
                .containsExactly(tuple("ok", Diagnosis.WARMING_UP));
        assertThat(keys(store)).containsExactly("ok");
    }

    @Test
    void shouldAnalyseARecordWithoutAKeyUnderTheRunIdOfItsValue() {
        start();

        send(null, runStarted("no-key", T0), T0);
        send(null, metrics("no-key", 1, 1.0, 1.1, minute(1)), minute(1));
        send("no-key", metrics("no-key", 2, 0.9, 1.0, minute(2)), minute(2));

        assertThat(diagnoses.readKeyValuesToList()).extracting(kv -> kv.key, kv -> kv.value.diagnosis())
                .containsExactly(tuple("no-key", Diagnosis.WARMING_UP));
        assertThat(store.get("no-key").points()).as("both points, keyed and not, in one state").isEqualTo(2);
        assertThat(store.get("no-key").point(1).epoch()).as("the keyed and the unkeyed point, in order").isEqualTo(2L);
        assertThat(statuses.readKeyValuesToMap()).containsKey("no-key");
    }

    @Test
    void shouldFollowARunResumedFromItsBestEpochWithALowerRate() {
        start();
        send("resumed", runStarted("resumed", T0), T0);
        // overfits: validation best at epoch 10, rising after while training falls
        for (int e = 1; e <= 20; e++) {
            double train = 2.0 * Math.exp(-e / 6.0), val = e <= 10 ? 0.6 + 1.5 * Math.exp(-e / 4.0) : 0.6 + 1.5 * Math.exp(-2.5) + 0.03 * (e - 10);
            send("resumed", metrics("resumed", e, train, val, minute(e)), minute(e));
        }
        assertThat(store.get("resumed").current()).isEqualTo(Diagnosis.OVERFITTING);
        diagnoses.readKeyValuesToList();
        statuses.readKeyValuesToList();

        // back to the epoch-10 checkpoint with a tenth of the rate: both losses fall again, slowly
        send("resumed", "{\"type\":\"run_started\",\"run_id\":\"resumed\",\"resumed_from_epoch\":10,"
                + "\"timestamp\":\"" + minute(30) + "\",\"config\":{\"optimizer\":\"adam\",\"lr\":0.0001}}", minute(30));
        double train10 = 2.0 * Math.exp(-10 / 6.0), val10 = 0.6 + 1.5 * Math.exp(-2.5);
        for (int e = 11; e <= 25; e++) {
            double k = Math.exp(-(e - 10) / 10.0);
            send("resumed", metrics("resumed", e, train10 * (0.5 + 0.5 * k), val10 * (0.85 + 0.15 * k), minute(20 + e)), minute(20 + e));
        }

        List<DiagnosisEvent> after = diagnoses.readValuesToList();
        assertThat(after).first().satisfies(d -> {
            assertThat(d.diagnosis()).isEqualTo(Diagnosis.LEARNING);
            assertThat(d.previous()).isEqualTo(Diagnosis.OVERFITTING);
            assertThat(d.epoch()).as("three readings of the resumed training").isEqualTo(13L);
        });
        RunStatus status = statuses.readKeyValuesToMap().get("resumed");
        assertThat(status.restarts()).isEqualTo(1);
        assertThat(status.diagnosis()).isNotEqualTo(Diagnosis.OVERFITTING);
        // the latest status published: at the twentieth point (every tenth), 10 kept and 10 new
        assertThat(status.points()).isEqualTo(20);
        assertThat(status.epoch()).isEqualTo(20L);
        assertThat(status.valLoss()).as("the resumed training's value, not the first one of epoch 20")
                .isCloseTo(val10 * (0.85 + 0.15 * Math.exp(-1.0)), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(store.get("resumed").restarts()).as("kept in the store").isEqualTo(1);
        assertThat(store.get("resumed").config().lr()).isEqualTo(1e-4);
    }

    @Test
    void shouldPublishTheStatusOnEachChangeAndEveryTenthPointInBetween() {
        start();

        send("steady", runStarted("steady", T0), T0);
        for (int e = 1; e <= 25; e++) {
            double loss = 2.0 * Math.exp(-e / 10.0);
            send("steady", metrics("steady", e, loss, loss * 1.05, minute(e)), minute(e));
        }

        List<Long> changes = diagnoses.readKeyValuesToList().stream().map(kv -> kv.value.epoch()).toList();
        List<Long> published = statuses.readKeyValuesToList().stream().map(kv -> kv.value.epoch()).toList();
        // run_started (no epoch), the diagnosis changes, and points 10 and 20
        assertThat(published).containsSubsequence(10L, 20L).doesNotContain(25L, 21L);
        assertThat(published).containsAll(changes.stream().filter(java.util.Objects::nonNull).toList());
    }

    @Test
    void shouldEmitExactlyTheSameEventsWhenPointsArriveTwice() {
        start();
        List<Integer> repeated = new ArrayList<>();
        for (int e = 1; e <= 40; e++) {
            repeated.add(e);
            if (e % 3 == 0) {
                repeated.add(e);
                repeated.add(e - 1);
            }
        }

        sendRun("in-order", epochs(1, 40), 40);
        sendRun("repeated", repeated, 40);

        List<KeyValue<String, DiagnosisEvent>> events = diagnoses.readKeyValuesToList();
        assertThat(eventsOf(events, "repeated")).isEqualTo(eventsOf(events, "in-order")).hasSizeGreaterThan(1);
        Map<String, RunStatus> latest = statuses.readKeyValuesToMap();
        assertThat(withoutRunId(latest.get("repeated"))).isEqualTo(withoutRunId(latest.get("in-order")));
        assertThat(latest.get("in-order").points()).isEqualTo(40);
    }

    @Test
    void shouldGiveTheSameDiagnosesAndStatusWhenNeighbouringPointsArriveSwapped() {
        start();
        List<Integer> swapped = new ArrayList<>();
        for (int e = 1; e <= 40; e += 2) {
            swapped.add(e + 1);
            swapped.add(e);
        }

        sendRun("in-order", epochs(1, 40), 40);
        sendRun("swapped", swapped, 40);

        // the same diagnoses in the same order; an event names the latest epoch seen, which a swap can move by one
        List<KeyValue<String, DiagnosisEvent>> events = diagnoses.readKeyValuesToList();
        assertThat(transitions(events, "swapped")).isEqualTo(transitions(events, "in-order")).hasSizeGreaterThan(1);
        Map<String, RunStatus> latest = statuses.readKeyValuesToMap();
        ObjectNode swappedStatus = withoutRunId(latest.get("swapped")), inOrderStatus = withoutRunId(latest.get("in-order"));
        // the advice to stop is dated by the event that brought it, which the swap can move by one epoch
        JsonNode swappedAdvice = swappedStatus.remove("after_stop_advice"), inOrderAdvice = inOrderStatus.remove("after_stop_advice");
        assertThat(swappedStatus).isEqualTo(inOrderStatus);
        assertThat(swappedAdvice.get("diagnosis")).isEqualTo(inOrderAdvice.get("diagnosis"));
        assertThat(swappedAdvice.get("since_epoch").asLong()).isCloseTo(inOrderAdvice.get("since_epoch").asLong(), within(1L));
        assertThat(swappedAdvice.get("epochs").asLong() + swappedAdvice.get("since_epoch").asLong())
                .isEqualTo(40).isEqualTo(inOrderAdvice.get("epochs").asLong() + inOrderAdvice.get("since_epoch").asLong());
        assertThat(latest.get("in-order").finished()).isTrue();
    }

    @Test
    void shouldEndInTheSameStatusWhenAPointArrivesLongAfterItsNeighbours() {
        start();
        List<Integer> lateSeven = epochs(1, 40);
        lateSeven.remove(Integer.valueOf(7));
        lateSeven.add(7);

        sendRun("in-order", epochs(1, 40), 40);
        sendRun("late", lateSeven, 40);

        Map<String, RunStatus> latest = statuses.readKeyValuesToMap();
        assertThat(withoutRunId(latest.get("late"))).isEqualTo(withoutRunId(latest.get("in-order")));
        List<KeyValue<String, DiagnosisEvent>> events = diagnoses.readKeyValuesToList();
        assertThat(codes(events, "late")).last().isEqualTo(codes(events, "in-order").get(codes(events, "in-order").size() - 1));
    }

    private void sendRun(String runId, List<Integer> epochs, int lastEpoch) {
        send(runId, runStarted(runId, T0), T0);
        for (int e : epochs) {
            send(runId, metrics(runId, e, Events.trainLoss(e), Events.valLoss(e), minute(e)), minute(e));
        }
        send(runId, runFinished(runId, lastEpoch, minute(lastEpoch + 1)), minute(lastEpoch + 1));
    }

    private static List<Integer> epochs(int from, int to) {
        List<Integer> epochs = new ArrayList<>();
        for (int e = from; e <= to; e++) {
            epochs.add(e);
        }
        return epochs;
    }

    @Test
    void shouldMarkARunStalledWhenItSendsNothingForStallAfter() {
        start();
        send("quiet", runStarted("quiet", T0), T0);
        send("quiet", metrics("quiet", 1, 1.0, 1.1, minute(1)), minute(1));
        diagnoses.readValuesToList();

        driver.advanceWallClockTime(Duration.ofMinutes(20)); // 21 minutes of silence
        assertThat(diagnoses.isEmpty()).isTrue();

        driver.advanceWallClockTime(Duration.ofMinutes(11)); // 32 minutes
        DiagnosisEvent stalled = diagnoses.readValue();
        assertThat(stalled.runId()).isEqualTo("quiet");
        assertThat(stalled.diagnosis()).isEqualTo(Diagnosis.STALLED);
        assertThat(stalled.previous()).isEqualTo(Diagnosis.WARMING_UP);
        assertThat(stalled.severity()).isEqualTo(Severity.WARNING);
        assertThat(stalled.epoch()).isEqualTo(1L);
        assertThat(stalled.timestamp()).isEqualTo(minute(33));
        assertThat(((Number) stalled.evidence().get("silent_seconds")).longValue()).isEqualTo(32 * 60);
        assertThat(statuses.readKeyValuesToMap().get("quiet").diagnosis()).isEqualTo(Diagnosis.STALLED);

        driver.advanceWallClockTime(Duration.ofMinutes(5));
        assertThat(diagnoses.isEmpty()).as("stalled once, not at every sweep").isTrue();
        assertThat(store.get("quiet").current()).isEqualTo(Diagnosis.STALLED);
    }

    @Test
    void shouldEvictAFinishedRunAfterTheGraceAndKeepTheLiveOnes() {
        start();
        send("done", runStarted("done", T0), T0);
        send("done", metrics("done", 1, 1.0, 1.1, T0), T0);
        send("done", runFinished("done", 1, minute(1)), minute(1));
        send("live", runStarted("live", minute(1)), minute(1));
        send("live", metrics("live", 1, 1.0, 1.1, minute(2)), minute(2));

        driver.advanceWallClockTime(Duration.ofMinutes(5)); // 'done' finished 6 minutes ago
        assertThat(keys(store)).containsExactly("done", "live");

        driver.advanceWallClockTime(Duration.ofMinutes(6)); // 12 minutes
        assertThat(keys(store)).containsExactly("live");
        assertThat(recorded.released).containsExactly(new RecordingMetrics.Released("done", Diagnosis.WARMING_UP, Release.FINISHED));
        assertThat(statuses.readRecordsToList()).as("eviction leaves the last status in the compacted topic")
                .allSatisfy(r -> assertThat(r.value()).isNotNull());
    }

    @Test
    void shouldEvictARunIdleForLongerThanTheIdleLimit() {
        start();
        send("abandoned", runStarted("abandoned", T0), T0);
        send("abandoned", metrics("abandoned", 1, 1.0, 1.1, minute(1)), minute(1));

        driver.advanceWallClockTime(Duration.ofHours(25));

        assertThat(keys(store)).isEmpty();
        assertThat(recorded.released).extracting(RecordingMetrics.Released::runId, RecordingMetrics.Released::why)
                .containsExactly(tuple("abandoned", Release.IDLE));
    }

    @Test
    void shouldEvictTheIdlestRunWhenTheLiveRunCapIsReached() {
        start(TopologyConfig.defaults().withMaxLiveRuns(2));

        send("a", runStarted("a", T0), T0);
        send("b", runStarted("b", minute(1)), minute(1));
        send("c", runStarted("c", minute(2)), minute(2));
        assertThat(keys(store)).containsExactly("b", "c");

        send("b", metrics("b", 1, 1.0, 1.1, minute(3)), minute(3)); // now c is the idlest
        send("d", runStarted("d", minute(4)), minute(4));
        assertThat(keys(store)).containsExactly("b", "d");
        assertThat(recorded.released).extracting(RecordingMetrics.Released::runId, RecordingMetrics.Released::why)
                .containsExactly(tuple("a", Release.CAPACITY), tuple("c", Release.CAPACITY));
        assertThat(diagnoses.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("a", "b", "c", "d");
    }

    @Test
    void shouldTellTheMetricsTheTimestampOfTheLatestRecord() {
        start();
        send("r1", runStarted("r1", T0), T0);
        send("r1", metrics("r1", 1, 1.0, 1.1, minute(7)), minute(7));

        assertThat(recorded.lastRecordTimestamp).isEqualTo(minute(7).toEpochMilli());
        assertThat(recorded.accepted).isEqualTo(2);
    }

    /** A run's events as JSON without the run id, for comparing two runs' events field by field. */
    private static List<ObjectNode> eventsOf(List<KeyValue<String, DiagnosisEvent>> events, String runId) {
        return events.stream().filter(kv -> kv.key.equals(runId)).map(kv -> {
            ObjectNode n = Json.diagnosisNode(kv.value);
            n.remove("run_id");
            return n;
        }).toList();
    }

    private static List<String> transitions(List<KeyValue<String, DiagnosisEvent>> events, String runId) {
        return events.stream().filter(kv -> kv.key.equals(runId))
                .map(kv -> kv.value.previous() + " -> " + kv.value.diagnosis()).toList();
    }

    private static List<Diagnosis> codes(List<KeyValue<String, DiagnosisEvent>> events, String runId) {
        return events.stream().filter(kv -> kv.key.equals(runId)).map(kv -> kv.value.diagnosis()).toList();
    }

    private static ObjectNode withoutRunId(RunStatus status) {
        ObjectNode n = Json.statusNode(status);
        n.remove("run_id");
        return n;
    }

    private static List<String> keys(KeyValueStore<String, RunState> store) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, RunState> all = store.all()) {
            all.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
