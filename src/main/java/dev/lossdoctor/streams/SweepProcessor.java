package dev.lossdoctor.streams;

import dev.lossdoctor.core.Siblings;
import dev.lossdoctor.core.SweepRule;
import dev.lossdoctor.core.SweepStats;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The sweep's task: the points of a sweep's runs (keyed by sweep id) into the sweep's
 * {@link SweepStats} (bounded per-checkpoint statistics, not curves) in the sweep store, and the
 * reporting run's verdict ({@link SweepStats#verdict}) forwarded keyed by run id, back to that
 * run's task. No ranking logic here: the core decides.
 */
final class SweepProcessor extends ContextualProcessor<String, SweepPoint, String, SweepVerdict> {

    private final String storeName;
    private final SweepRule rule;
    private KeyValueStore<String, SweepStats> store;

    private SweepProcessor(String storeName, SweepRule rule) {
        this.storeName = storeName;
        this.rule = rule;
    }

    @Override
    public void init(ProcessorContext<String, SweepVerdict> context) {
        super.init(context);
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, SweepPoint> record) {
        SweepPoint p = record.value();
        if (record.key() == null || p == null) {
            return;
        }
        SweepStats stats = store.get(record.key());
        if (stats == null) {
            stats = new SweepStats(record.key());
        }
        if (p.finished()) {
            stats.finish(p.runId());
            store.put(record.key(), stats);
            return;
        }
        if (!stats.add(p.runId(), p.point())) {
            return; // a full sweep keeps nothing of a run that is not one of its members
        }
        store.put(record.key(), stats);
        Siblings verdict = stats.verdict(p.runId(), p.maxEpochs(), rule);
        if (verdict != null) {
            context().forward(record.withKey(p.runId()).withValue(new SweepVerdict(p.runId(), verdict, p.at())));
        }
    }

    static final class Supplier implements ProcessorSupplier<String, SweepPoint, String, SweepVerdict> {

        private final StoreBuilder<KeyValueStore<String, SweepStats>> store;
        private final SweepRule rule;

        Supplier(String storeName, TopologyConfig config, SweepRule rule) {
            this.store = Stores.keyValueStoreBuilder(config.stateStore() == TopologyConfig.StateStore.MEMORY
                    ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentKeyValueStore(storeName),
                    Serdes.String(), new SweepRecordSerdes.Stats());
            this.rule = rule;
        }

        @Override
        public SweepProcessor get() {
            return new SweepProcessor(store.name(), rule);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(store);
        }
    }
}
