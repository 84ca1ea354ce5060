package dev.lossdoctor.streams;

import dev.lossdoctor.bench.TrainingTraffic;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The run processor's work per event without Kafka around it, timed by the thread's CPU clock: the
 * state update and everything around it (held states, outputs, the serdes of what it forwards, a
 * commit every 100 events), on the bench's input (1,500 runs live at a time), parsed beforehand.
 * In-memory stores, no changelog. For comparing two builds in one sitting, alternated:
 * {@code java -cp target/test-classes:JAR:kafka-streams-test-utils.jar dev.lossdoctor.streams.ProcessorWorkCpu}.
 */
public final class ProcessorWorkCpu {

    public static void main(String[] args) {
        int eventsPerRound = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<TrainingTraffic.Event> traffic = TrainingTraffic.benchInput(eventsPerRound);
        EventParser parser = new EventParser();
        List<Record<String, TrainingEvent>> records = new ArrayList<>(traffic.size());
        for (TrainingTraffic.Event e : traffic) {
            TrainingEvent event = ((ParseResult.Accepted) parser.parse(e.runId(), e.value(),
                    Instant.ofEpochMilli(e.timestampMillis()))).event();
            records.add(new Record<>(e.runId(), event, e.timestampMillis()));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        DiagnosisEventSerde diagnosisSerde = new DiagnosisEventSerde();
        RunStatusSerde statusSerde = new RunStatusSerde();
        for (int round = 0; round < rounds; round++) {
            TopologyConfig config = TopologyConfig.defaults().withStateStore(TopologyConfig.StateStore.MEMORY);
            RunAnalyzerProcessor.Supplier supplier = new RunAnalyzerProcessor.Supplier("runs", "members", "diagnoses",
                    "status", "sweeps", config);
            MockProcessorContext<String, Object> context = new MockProcessorContext<>();
            BeforeCommitStore<?, ?> runStore = null;
            for (StoreBuilder<?> b : supplier.stores()) {
                StateStore store = b.withLoggingDisabled().build();
                store.init(context.getStateStoreContext(), store);
                context.addStateStore(store);
                runStore = runStore != null ? runStore : BeforeCommitStore.of(store);
            }
            RunAnalyzerProcessor processor = supplier.get();
            processor.init(context);
            long cpu = 0, sink = 0;
            int batch = 100; // a commit per 100 events: about what one every 100 ms writes at the bench's rate
            for (int from = 0; from < records.size(); from += batch) {
                int to = Math.min(records.size(), from + batch);
                long t0 = threads.getCurrentThreadCpuTime();
                for (int i = from; i < to; i++) {
                    processor.process(records.get(i));
                }
                for (var f : context.forwarded()) {
                    Object v = f.record().value();
                    sink += v instanceof DiagnosisEvent d ? diagnosisSerde.serialize("d", d).length
                            : v instanceof RunStatus s ? statusSerde.serialize("s", s).length : 1;
                }
                runStore.flushCache();
                cpu += threads.getCurrentThreadCpuTime() - t0;
                context.resetForwards();
            }
            processor.close();
            System.out.printf("round %d: %.2f µs/event (%d)%n", round, cpu / (records.size() * 1000.0), sink);
        }
    }
}
