package dev.lossdoctor.streams;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.StopAdvice;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.streams.AnalysisMetrics.Release;
import dev.lossdoctor.core.Point;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.SiblingOverlay;
import dev.lossdoctor.core.SweepCodec;
import dev.lossdoctor.core.Sweeps;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.TaskId;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The one stateful step: applies each event of a run to the run's state (kept in a RocksDB store)
 * through {@link RunAnalyzer}, and forwards the diagnosis events it causes and the run's new
 * status, each to its own sink. No diagnosis logic lives here. Time is the record's timestamp, and
 * the punctuation's in {@link RunSweeper}.
 */
public final class RunAnalyzerProcessor extends ContextualProcessor<String, TrainingEvent, String, Object> {

    private final String storeName;
    private final String membersStoreName;
    private final String sweepSink;
    private final Map<TaskId, RunAnalyzerProcessor> byTask;
    private final String diagnosesSink;
    private final String statusSink;
    private final TopologyConfig config;
    private final AtomicInteger instanceRuns;
    private final RunAnalyzer analyzer = new RunAnalyzer();
    private HeldRuns runs;
    private RunOutputs outputs;
    /** Each run of a sweep: its sweep and its {@link SiblingOverlay} (runs of no sweep have none). */
    private KeyValueStore<String, SweepCodec.Member> members;
    /**
     * The ids the members store holds, kept in memory so that a run of no sweep (most of them) costs
     * no store read per record: loaded when the task starts, changed only here.
     */
    private final Set<String> memberIds = new java.util.HashSet<>();
    /** The members that show lagging now, for the run counts by diagnosis (loaded with the ids, changed only here). */
    private final Set<String> laggingIds = new java.util.HashSet<>();

    private RunAnalyzerProcessor(String storeName, String membersStoreName, String diagnosesSink, String statusSink,
                                 String sweepSink, TopologyConfig config, AtomicInteger instanceRuns,
                                 Map<TaskId, RunAnalyzerProcessor> byTask) {
        this.storeName = storeName;
        this.membersStoreName = membersStoreName;
        this.sweepSink = sweepSink;
        this.byTask = byTask;
        this.diagnosesSink = diagnosesSink;
        this.statusSink = statusSink;
        this.config = config;
        this.instanceRuns = instanceRuns;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        super.init(context);
        members = context.getStateStore(membersStoreName);
        try (var all = members.all()) {
            all.forEachRemaining(kv -> {
                memberIds.add(kv.key);
                if (kv.value != null && kv.value.overlay().lagging()) {
                    laggingIds.add(kv.key);
                }
            });
        }
        KeyValueStore<String, RunState> store = context.getStateStore(storeName);
        runs = new HeldRuns(store, instanceRuns, config.metrics());
        runs.showsLagging(laggingIds::contains);
        runs.load();
        BeforeCommitStore.of(store).beforeCommit(runs::writeChanged);
        outputs = new RunOutputs(context, diagnosesSink, statusSink, analyzer, config.metrics(), config.cloudEvents());
        runs.whenEvicted(runId -> { // a run that comes back starts afresh, outside its sweep's overlay too
            if (memberIds.remove(runId)) {
                members.delete(runId);
            }
            laggingIds.remove(runId);
        });
        byTask.put(context.taskId(), this);
        context.schedule(config.sweepInterval(), PunctuationType.WALL_CLOCK_TIME,
                new RunSweeper(runs, analyzer, this::publishOwn, config));
    }

    @Override
    public void process(Record<String, TrainingEvent> record) {
        config.metrics().processed(record.timestamp());
        RunState state = runs.get(record.key());
        Diagnosis previous = null;
        if (state == null) {
            makeRoom();
            state = new RunState(record.key());
        } else {
            previous = shownBefore(state);
        }
        List<DiagnosisEvent> events;
        RunState fallback = runs.fallback(state);
        analyzer.markSpent(state);
        try {
            events = analyzer.apply(state, record.value());
        } catch (RuntimeException e) {
            runs.restore(record.key(), fallback); // the processing exception handler decides what happens next
            throw e;
        }
        StopAdvice.Spent spent = analyzer.spentSinceMark(state); // null when the update spent nothing after advice
        if (spent != null) {
            config.metrics().spentAfterStopAdvice(spent.diagnosis(), spent.epochs(),
                    spent.seconds() == null ? 0 : spent.seconds());
        }
        runs.put(state);
        SweepCodec.Member member = member(record.key(), record.value());
        // the event's own time, as analyze takes it (the record's for an event without one)
        Instant eventTime = record.value().timestamp() != null ? record.value().timestamp() : Instant.ofEpochMilli(record.timestamp());
        publish(state, previous, events, record.timestamp(), member, eventTime);
        if (member == null) {
            return;
        }
        Point p = Sweeps.point(record.value());
        if (p != null || record.value() instanceof RunFinished) {
            // to the sweep's task, keyed by sweep id; its verdict comes back in verdict()
            SweepPoint sp = new SweepPoint(record.key(), member.sweepId(), p, state.config().maxEpochs(), eventTime);
            context().forward(new Record<String, Object>(member.sweepId(), sp, record.timestamp()), sweepSink);
        }
    }

    /** The events of the run's own analysis out, under its lagging overlay when it is a run of a sweep. */
    private void publish(RunState state, Diagnosis previous, List<DiagnosisEvent> events, long timestamp,
                         SweepCodec.Member member, Instant eventTime) {
        if (member == null) {
            outputs.publish(state, previous, events, timestamp);
            return;
        }
        List<DiagnosisEvent> shown = member.overlay().own(state, events, analyzer, eventTime);
        storeMember(state, member);
        outputs.publish(state, previous, shown, timestamp, member.overlay()::status);
    }

    /** The sweeper's events (a run marked stalled), as {@link #process} publishes a run's own. */
    private void publishOwn(RunState state, Diagnosis previous, List<DiagnosisEvent> events, long timestamp) {
        publish(state, previous, events, timestamp, storedMember(state.runId()), Instant.ofEpochMilli(timestamp));
    }

    /** The diagnosis a held run shows, before an update (its own, or lagging over it). */
    private Diagnosis shownBefore(RunState state) {
        Diagnosis shown = runs.shown(state.runId());
        return shown != null ? shown : HeldRuns.diagnosisOf(state);
    }

    /** The run's sweep membership: the stored one, or a new one when this event is a start naming a sweep. */
    private SweepCodec.Member member(String runId, TrainingEvent event) {
        SweepCodec.Member m = storedMember(runId);
        String sweepId = Sweeps.sweepId(event);
        if (m == null && sweepId != null) {
            m = new SweepCodec.Member(sweepId, new SiblingOverlay());
        }
        return m;
    }

    private SweepCodec.Member storedMember(String runId) {
        return memberIds.contains(runId) ? members.get(runId) : null;
    }

    private void storeMember(RunState state, SweepCodec.Member member) {
        String runId = state.runId();
        members.put(runId, member);
        memberIds.add(runId);
        boolean changed = member.overlay().lagging() ? laggingIds.add(runId) : laggingIds.remove(runId);
        if (changed) {
            runs.reshow(state);
        }
    }

    /** A sweep's verdict on one of this task's runs: lagging starts or ends ({@link SiblingOverlay#verdict}). */
    void verdict(SweepVerdict verdict, RunOutputs verdictOutputs, long timestamp) {
        RunState state = runs.get(verdict.runId());
        SweepCodec.Member member = storedMember(verdict.runId());
        if (state == null || member == null) {
            return; // evicted meanwhile: nothing to show it on
        }
        Diagnosis previous = shownBefore(state);
        List<DiagnosisEvent> events = member.overlay().verdict(state, verdict.siblings(), analyzer, verdict.at());
        storeMember(state, member);
        if (!events.isEmpty()) {
            verdictOutputs.publish(state, previous, events, timestamp, member.overlay()::status);
        }
    }

    /**
     * At the cap, evicts this task's idlest runs: a hundredth of the cap at a time, so that a
     * stream of new runs at the cap does not scan the summaries for every one of them, and at
     * least as many as the instance is over the cap. (A task can only evict its own runs: one
     * that holds none when the instance is full goes over by one, and the next task that can
     * evict takes the instance back under.)
     */
    private void makeRoom() {
        int over = runs.instanceRuns() - config.maxLiveRuns();
        if (over < 0) {
            return;
        }
        for (String runId : runs.idlest(Math.max(over + 1, config.maxLiveRuns() / 100))) {
            runs.evict(runId, Release.CAPACITY);
        }
    }

    @Override
    public void close() {
        if (context() != null) {
            byTask.remove(context().taskId(), this);
        }
        if (runs != null) {
            runs.releaseAll();
        }
    }

    /** Builds the processor and declares its store, whose name it takes from here alone. */
    public static final class Supplier implements ProcessorSupplier<String, TrainingEvent, String, Object> {

        private final StoreBuilder<BeforeCommitStore<String, RunState>> store;
        private final StoreBuilder<KeyValueStore<String, SweepCodec.Member>> membersStore;
        private final String diagnosesSink;
        private final String statusSink;
        private final String sweepSink;
        private final TopologyConfig config;
        private final AtomicInteger instanceRuns = new AtomicInteger(); // shared by this instance's tasks
        /** This instance's run processors by task, for the verdicts that come back to their task. */
        private final Map<TaskId, RunAnalyzerProcessor> byTask = new ConcurrentHashMap<>();

        public Supplier(String storeName, String membersStoreName, String diagnosesSink, String statusSink, String sweepSink,
                        TopologyConfig config) {
            // no record cache: HeldRuns is the cache (decoded, not bytes), writing each changed run
            // once per commit; a second cache of the same runs would only cost time and memory
            KeyValueBytesStoreSupplier where = config.stateStore() == TopologyConfig.StateStore.MEMORY
                    ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentKeyValueStore(storeName);
            this.store = new BeforeCommitStore.Builder<>(Stores.keyValueStoreBuilder(where, Serdes.String(), new RunStateSerde()))
                    .withCachingDisabled();
            this.membersStore = Stores.keyValueStoreBuilder(config.stateStore() == TopologyConfig.StateStore.MEMORY
                    ? Stores.inMemoryKeyValueStore(membersStoreName) : Stores.persistentKeyValueStore(membersStoreName),
                    Serdes.String(), new SweepRecordSerdes.Members());
            this.diagnosesSink = diagnosesSink;
            this.statusSink = statusSink;
            this.sweepSink = sweepSink;
            this.config = config;
        }

        RunAnalyzerProcessor ofTask(TaskId task) {
            return byTask.get(task);
        }

        RunOutputs outputs(ProcessorContext<String, Object> context, String diagnosesSink, String statusSink) {
            return new RunOutputs(context, diagnosesSink, statusSink, new RunAnalyzer(), config.metrics(), config.cloudEvents());
        }

        @Override
        public RunAnalyzerProcessor get() {
            return new RunAnalyzerProcessor(store.name(), membersStore.name(), diagnosesSink, statusSink, sweepSink, config,
                    instanceRuns, byTask);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(store, membersStore);
        }
    }
}
