package dev.lossdoctor.streams;

import dev.lossdoctor.core.TrainingEvent;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The topology, in one place:
 *
 * <pre>
 * training-metrics ─► parse ─┬─ rejected ──────────────────────────────────────► training-metrics-dlq
 *                            ├─ keyed by run id ───────────────────┐
 *                            └─ no key ─► repartition by run_id ───┴─► run-analyzer ─┬─► training-diagnoses
 *                                                                   (run-state-store) └─► training-run-status
 *                                                   (sweep-member-store)  │ a run of a sweep: its points
 *                                                                         ▼
 *        repartition by sweep id (by-sweep-id) ─► sweep-analyzer (sweep-store) ─► repartition by run id
 *        (sweep-verdicts) ─► sibling-verdicts (the run's task: its stores) ─┬─► training-diagnoses (lagging)
 *                                                                          └─► training-run-status
 * </pre>
 *
 * The DSL builds the front, because only it creates and manages a repartition topic; the Processor
 * API the back, where one processor feeds two typed sinks by name.
 */
public final class LossDoctorTopology {

    public static final String METRICS_SOURCE = "metrics-source";
    public static final String PARSER = "parse-and-validate";
    public static final String ROUTE = "route-";
    public static final String REJECTED = "rejected";
    public static final String KEYED = "keyed";
    public static final String UNKEYED = "unkeyed";
    public static final String UNWRAP_REJECTED = "unwrap-rejected";
    public static final String DLQ_SINK = "dlq-sink";
    public static final String KEY_BY_RUN_ID = "key-by-run-id";
    public static final String REKEY_BY_RUN_ID = "rekey-by-run-id";
    /** The repartition topic is {@code <application.id>-by-run-id-repartition}. */
    public static final String BY_RUN_ID = "by-run-id";
    public static final String RUN_EVENTS = "run-events";
    public static final String RUN_ANALYZER = "run-analyzer";
    public static final String RUN_STATE_STORE = "run-state-store";
    public static final String DIAGNOSES_SINK = "diagnoses-sink";
    public static final String STATUS_SINK = "run-status-sink";
    /** Each run of a sweep: its sweep and its lagging overlay, beside the run's state. */
    public static final String SWEEP_MEMBER_STORE = "sweep-member-store";
    public static final String TO_SWEEP = "to-sweep";
    /** The repartition topic is {@code <application.id>-by-sweep-id-repartition}. */
    public static final String BY_SWEEP_ID = "by-sweep-id";
    public static final String SWEEP_ANALYZER = "sweep-analyzer";
    public static final String SWEEP_STORE = "sweep-store";
    /** The repartition topic is {@code <application.id>-sweep-verdicts-repartition}. */
    public static final String SWEEP_VERDICTS = "sweep-verdicts";
    public static final String SIBLING_VERDICTS = "sibling-verdicts";
    public static final String LAGGING_DIAGNOSES_SINK = "lagging-diagnoses-sink";
    public static final String LAGGING_STATUS_SINK = "lagging-run-status-sink";

    /** Headers of a dead-letter record (UTF-8 strings): why it was rejected, and where it was read. */
    public static final String ERROR_REASON_HEADER = "lossdoctor.error.reason";
    public static final String ERROR_TOPIC_HEADER = "lossdoctor.error.topic";
    public static final String ERROR_PARTITION_HEADER = "lossdoctor.error.partition";
    public static final String ERROR_OFFSET_HEADER = "lossdoctor.error.offset";

    private LossDoctorTopology() {
    }

    public static Topology build(TopologyConfig config) {
        Topics topics = config.topics();
        StreamsBuilder builder = new StreamsBuilder();

        // raw bytes in, so that a rejected record leaves exactly as it came
        Map<String, KStream<byte[], Parsed>> routes = builder
                .stream(topics.metrics().name(), topics.metrics().consumed(METRICS_SOURCE))
                // parse and validate (never throws); a rejected record gains the error headers
                .processValues(ParseProcessor.supplier(config.metrics()), Named.as(PARSER))
                .split(Named.as(ROUTE))
                .branch((key, parsed) -> parsed instanceof Parsed.Rejected, Branched.as(REJECTED))
                .branch((key, parsed) -> key != null && key.length > 0, Branched.as(KEYED))
                .defaultBranch(Branched.as(UNKEYED));

        // rejected: to the dead-letter topic with its original key, value and headers
        routes.get(ROUTE + REJECTED)
                .mapValues(parsed -> ((Parsed.Rejected) parsed).value(), Named.as(UNWRAP_REJECTED))
                .to(topics.dlq().name(), topics.dlq().produced(DLQ_SINK));

        // the key is the run id (the normal case): the record already sits on its run's partition
        KStream<String, TrainingEvent> keyed = routes.get(ROUTE + KEYED)
                .map(LossDoctorTopology::byRunId, Named.as(KEY_BY_RUN_ID));
        // no key: repartitioned by the value's run_id, so that each run lives in exactly one task
        KStream<String, TrainingEvent> rekeyed = routes.get(ROUTE + UNKEYED)
                .map(LossDoctorTopology::byRunId, Named.as(REKEY_BY_RUN_ID))
                .repartition(Repartitioned.with(Serdes.String(), new TrainingEventSerde()).withName(BY_RUN_ID));
        KStream<String, TrainingEvent> runEvents = keyed.merge(rekeyed, Named.as(RUN_EVENTS));

        // each run's state in RocksDB; its diagnosis events and its status out, each to its sink
        RunAnalyzerProcessor.Supplier runs = new RunAnalyzerProcessor.Supplier(RUN_STATE_STORE, SWEEP_MEMBER_STORE,
                DIAGNOSES_SINK, STATUS_SINK, TO_SWEEP, config);
        KStream<String, Object> runOutputs = runEvents.process(runs, Named.as(RUN_ANALYZER));
        toTopic(runOutputs, topics.diagnoses(), DIAGNOSES_SINK);
        toTopic(runOutputs, topics.status(), STATUS_SINK);

        // a run of a sweep: its points to the sweep's task (by sweep id), the verdict back to the run's (by run id)
        KStream<String, Object> verdictOutputs = runOutputs
                .mapValues(value -> (SweepPoint) value, Named.as(TO_SWEEP))
                .repartition(Repartitioned.with(Serdes.String(), new SweepRecordSerdes.Points()).withName(BY_SWEEP_ID))
                .process(new SweepProcessor.Supplier(SWEEP_STORE, config), Named.as(SWEEP_ANALYZER))
                .repartition(Repartitioned.with(Serdes.String(), new SweepRecordSerdes.Verdicts()).withName(SWEEP_VERDICTS))
                .process(new SiblingVerdictProcessor.Supplier(runs, LAGGING_DIAGNOSES_SINK, LAGGING_STATUS_SINK),
                        Named.as(SIBLING_VERDICTS), RUN_STATE_STORE, SWEEP_MEMBER_STORE);
        toTopic(verdictOutputs, topics.diagnoses(), LAGGING_DIAGNOSES_SINK);
        toTopic(verdictOutputs, topics.status(), LAGGING_STATUS_SINK);

        Topology topology = builder.build();
        return topology;
    }

    /** A sink the processor above feeds by name (its values are of the topic's type, forwarded as Object). */
    @SuppressWarnings("unchecked")
    private static <V> void toTopic(KStream<String, Object> stream, Topic<String, V> topic, String sinkName) {
        Produced<String, Object> produced = Produced.with(topic.keySerde(), (Serde<Object>) (Serde<?>) topic.valueSerde())
                .withName(sinkName);
        stream.to(topic.name(), produced);
    }

    private static KeyValue<String, TrainingEvent> byRunId(byte[] key, Parsed parsed) {
        TrainingEvent event = ((Parsed.Accepted) parsed).event();
        return KeyValue.pair(event.runId(), event);
    }
}
