package dev.lossdoctor.streams;

import dev.lossdoctor.core.SweepRule;
import dev.lossdoctor.core.SweepStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The sweep's task: the points of a sweep's runs (keyed by sweep id) into the sweep's
 * {@link SweepStats} (bounded per-checkpoint statistics, not curves) in the sweep store, and the
 * verdicts they call for ({@link SweepStats#verdicts}: the reporting run's, and its siblings' whose
 * verdict moved) forwarded keyed by run id, back to each run's task. No ranking logic here: the
 * core decides.
 *
 * <p>The sweeps touched last are held decoded and written to the store once per commit (as
 * {@link HeldRuns} does for runs): a sweep of 100 runs is tens of kilobytes, not worth encoding on
 * every point. A wall-clock sweeper (every {@code sweep.interval}) deletes a sweep whose runs all
 * finished {@code finished.grace} ago, or that saw nothing for {@code idle.after} (as the runs'
 * own stores let them go), judged on the record times of its points; a run that reports after
 * that starts the sweep afresh.
 */
final class SweepProcessor extends ContextualProcessor<String, SweepPoint, String, SweepVerdict> {

    /** Decoded sweeps held in memory. */
    static final int RECENT_SWEEPS = 64;

    private final String storeName;
    private final TopologyConfig config;
    private final SweepRule rule;
    private KeyValueStore<String, SweepStats> store;
    /** Sweeps changed since the last commit (always among the recent ones). */
    private final Set<String> changed = new LinkedHashSet<>();
    private final Map<String, SweepStats> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SweepStats> eldest) {
            if (size() <= RECENT_SWEEPS) {
                return false;
            }
            if (changed.remove(eldest.getKey())) {
                store.put(eldest.getKey(), eldest.getValue()); // leaving memory: the store must have it
            }
            return true;
        }
    };
    /** Each sweep of this task: its last record time and whether all its runs finished, for the sweeper. */
    private final Map<String, Activity> activity = new HashMap<>();

    private record Activity(long lastMillis, boolean finished) {
        static Activity of(SweepStats s) {
            return new Activity(s.lastActivityMillis(), s.allFinished());
        }
    }

    private SweepProcessor(String storeName, TopologyConfig config) {
        this.storeName = storeName;
        this.config = config;
        this.rule = config.sweepRule();
    }

    @Override
    public void init(ProcessorContext<String, SweepVerdict> context) {
        super.init(context);
        store = context.getStateStore(storeName);
        BeforeCommitStore.of(store).beforeCommit(this::writeChanged);
        List<String> unreadable = new ArrayList<>();
        try (KeyValueIterator<String, SweepStats> all = store.all()) {
            all.forEachRemaining(kv -> {
                if (kv.value == null) {
                    unreadable.add(kv.key); // logged by the serde
                } else if (kv.value.lastActivityMillis() == Long.MIN_VALUE) {
                    // stored by a release that kept no time: its time starts now, so it is not let go at once
                    activity.put(kv.key, new Activity(context.currentSystemTimeMs(), kv.value.allFinished()));
                } else {
                    activity.put(kv.key, Activity.of(kv.value));
                }
            });
        }
        unreadable.forEach(store::delete);
        context.schedule(config.sweepInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, SweepPoint> record) {
        SweepPoint p = record.value();
        if (record.key() == null || p == null) {
            return;
        }
        SweepStats stats = recent.get(record.key());
        if (stats == null) {
            stats = store.get(record.key());
            if (stats == null) {
                stats = new SweepStats(record.key());
            }
        }
        if (p.finished()) {
            stats.finish(p.runId());
        } else if (!stats.add(p.runId(), p.point(), p.maxEpochs())) {
            return; // a full sweep keeps nothing of a run that is not one of its members
        }
        stats.active(record.timestamp());
        recent.put(record.key(), stats);
        changed.add(record.key());
        activity.put(record.key(), Activity.of(stats));
        for (SweepStats.Verdict v : stats.verdicts(p.runId(), rule)) {
            context().forward(record.withKey(v.runId()).withValue(new SweepVerdict(v.runId(), v.siblings(), p.at())));
        }
    }

    /** Writes the sweeps changed since the last commit: called just before the task commits. */
    private void writeChanged() {
        for (String sweepId : changed) {
            store.put(sweepId, recent.get(sweepId));
        }
        changed.clear();
    }

    /** The sweeper: lets go of the sweeps that are over (all runs finished, and the grace passed) or idle. */
    private void expire(long now) {
        long grace = config.finishedGrace().toMillis(), idle = config.idleAfter().toMillis();
        List<String> over = new ArrayList<>();
        activity.forEach((sweepId, a) -> {
            long silent = now - a.lastMillis();
            if (silent >= (a.finished() ? grace : idle)) {
                over.add(sweepId);
            }
        });
        over.sort(null);
        for (String sweepId : over) {
            activity.remove(sweepId);
            recent.remove(sweepId);
            changed.remove(sweepId);
            store.delete(sweepId);
        }
    }

    static final class Supplier implements ProcessorSupplier<String, SweepPoint, String, SweepVerdict> {

        private final StoreBuilder<BeforeCommitStore<String, SweepStats>> store;
        private final TopologyConfig config;

        Supplier(String storeName, TopologyConfig config) {
            KeyValueBytesStoreSupplier where = config.stateStore() == TopologyConfig.StateStore.MEMORY
                    ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentKeyValueStore(storeName);
            // no record cache: the processor holds the busy sweeps decoded and writes each once per commit
            this.store = new BeforeCommitStore.Builder<>(Stores.keyValueStoreBuilder(where, Serdes.String(),
                    new SweepRecordSerdes.Stats())).withCachingDisabled();
            this.config = config;
        }

        @Override
        public SweepProcessor get() {
            return new SweepProcessor(store.name(), config);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(store);
        }
    }
}
