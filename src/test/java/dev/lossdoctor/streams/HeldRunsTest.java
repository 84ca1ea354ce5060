package dev.lossdoctor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStateCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The runs a task holds: states written to the store once per commit, never lost when they leave memory. */
class HeldRunsTest {

    private final MapStore store = new MapStore();
    private final HeldRuns runs = new HeldRuns(store, new AtomicInteger(), AnalysisMetrics.NONE);

    private final RunAnalyzer analyzer = new RunAnalyzer();

    /** A run with {@code points} points (epochs 1..points). */
    private RunState run(String id, int points) {
        RunState s = new RunState(id);
        for (int epoch = 1; epoch <= points; epoch++) {
            addPoint(s, epoch);
        }
        return s;
    }

    private void addPoint(RunState s, long epoch) {
        analyzer.apply(s, new MetricsReported(s.runId(), epoch, null, Instant.EPOCH.plusSeconds(epoch),
                Map.of("train_loss", 1.0 / epoch, "val_loss", 1.2 / epoch)));
    }

    @Test
    void aChangedStateReachesTheStoreAtTheCommitOnceHowEverOftenItChanged() {
        runs.put(run("r1", 1));
        for (int epoch = 2; epoch <= 3; epoch++) {
            RunState r = runs.get("r1");
            addPoint(r, epoch);
            runs.put(r);
        }

        assertThat(store.map).isEmpty();
        assertThat(runs.get("r1").points()).isEqualTo(3);

        runs.writeChanged();
        assertThat(store.puts).containsExactly("r1");
        assertThat(store.map.get("r1").points()).isEqualTo(3);

        runs.writeChanged(); // nothing changed since
        assertThat(store.puts).containsExactly("r1");
    }

    @Test
    void aChangedStateLeavingMemoryIsWrittenFirst() {
        for (int i = 0; i <= HeldRuns.RECENT_STATES; i++) {
            runs.put(run("r" + i, 1 + i % 5));
        }
        // the first run left the recent states: it was written then, the others wait for the commit
        assertThat(store.puts).containsExactly("r0");
        assertThat(runs.get("r0").points()).isEqualTo(1);

        runs.writeChanged();
        assertThat(store.map).hasSize(HeldRuns.RECENT_STATES + 1);
        assertThat(store.map.get("r" + HeldRuns.RECENT_STATES).points()).isEqualTo(1 + HeldRuns.RECENT_STATES % 5);
    }

    @Test
    void aFailedUpdateOfACommittedRunFallsBackToTheStoredState() {
        runs.put(run("r1", 2));
        runs.writeChanged();
        RunState taken = runs.get("r1");
        RunState fallback = runs.fallback(taken);
        addPoint(taken, 3); // an update that then failed half-way
        runs.restore("r1", fallback);

        assertThat(fallback).as("the store has it: nothing to copy").isNull();
        assertThat(runs.get("r1").points()).isEqualTo(2);
        runs.writeChanged();
        assertThat(store.map.get("r1").points()).isEqualTo(2);
    }

    @Test
    void aFailedUpdateKeepsTheChangesSinceTheLastCommit() {
        runs.put(run("r1", 2)); // new since the last commit: only here, not in the store
        RunState taken = runs.get("r1");
        RunState fallback = runs.fallback(taken);
        addPoint(taken, 3); // an update that then failed half-way
        runs.restore("r1", fallback);

        assertThat(runs.get("r1")).isNotSameAs(taken);
        assertThat(runs.get("r1").points()).isEqualTo(2);
        runs.writeChanged();
        assertThat(store.map.get("r1").points()).as("the run and its two points are not lost").isEqualTo(2);
    }

    @Test
    void theCopyKeptForAFailedUpdateIsNotOverwrittenByTheNextRunsCopy() {
        runs.put(run("r1", 2));
        runs.put(run("r2", 7));
        RunState taken = runs.get("r1");
        RunState fallback = runs.fallback(taken);
        addPoint(taken, 3); // failed half-way
        runs.restore("r1", fallback);

        RunState other = runs.get("r2");
        RunState otherFallback = runs.fallback(other); // the next update, of another run, takes its copy
        addPoint(other, 8);
        runs.put(other);

        assertThat(otherFallback).isNotSameAs(fallback);
        assertThat(runs.get("r1").runId()).isEqualTo("r1");
        assertThat(runs.get("r1").points()).isEqualTo(2);
        assertThat(runs.get("r1")).isEqualTo(run("r1", 2));
        assertThat(runs.get("r2").points()).isEqualTo(8);
    }

    @Test
    void aCopyIntoAStateOfAnotherRunEqualsAFreshCopy() {
        RunState into = run("r9", 70); // a full window, spikes, aggregates: all of it must be replaced
        RunState source = run("r1", 5);
        RunState copied = source.copyInto(into);

        assertThat(copied).isSameAs(into).isEqualTo(source.copy()).isEqualTo(source);
        addPoint(copied, 6);
        addPoint(source, 6);
        assertThat(copied).isEqualTo(source); // and it reads on as the original does (its sums rebuilt)
        assertThat(new RunAnalyzer().status(copied)).isEqualTo(new RunAnalyzer().status(source));
    }

    @Test
    void anEvictedRunIsGoneFromMemoryAndStoreAndIsNotWrittenBack() {
        runs.put(run("r1", 1));
        runs.evict("r1", AnalysisMetrics.Release.IDLE);
        runs.writeChanged();

        assertThat(store.map).doesNotContainKey("r1");
        assertThat(runs.get("r1")).isNull();
        assertThat(runs.instanceRuns()).isZero();
    }

    @Test
    void releasingAllLeavesTheStoreAsTheLastCommitLeftIt() {
        runs.put(run("r1", 1));
        runs.writeChanged();
        runs.put(run("r2", 2)); // not committed: a dirty close throws it away, as Kafka does the store's
        runs.releaseAll();

        assertThat(store.map).containsOnlyKeys("r1");
        assertThat(runs.instanceRuns()).isZero();
    }

    /** A key-value store in a map (the unit under test only gets, puts and deletes). */
    private static final class MapStore implements KeyValueStore<String, RunState> {
        final Map<String, RunState> map = new TreeMap<>();
        final List<String> puts = new ArrayList<>();

        @Override
        public void put(String key, RunState value) {
            puts.add(key);
            map.put(key, copy(value));
        }

        private static RunState copy(RunState s) { // what the store holds is a snapshot, as encoded bytes would be
            return RunStateCodec.decode(RunStateCodec.encode(s));
        }

        @Override
        public RunState putIfAbsent(String key, RunState value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void putAll(List<KeyValue<String, RunState>> entries) {
            throw new UnsupportedOperationException();
        }

        @Override
        public RunState delete(String key) {
            return map.remove(key);
        }

        @Override
        public RunState get(String key) {
            RunState s = map.get(key);
            return s == null ? null : copy(s);
        }

        @Override
        public KeyValueIterator<String, RunState> range(String from, String to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KeyValueIterator<String, RunState> all() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long approximateNumEntries() {
            return map.size();
        }

        @Override
        public String name() {
            return "map";
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
        }

        @Override
        public void close() {
        }

        @Override
        public boolean persistent() {
            return false;
        }

        @Override
        public boolean isOpen() {
            return true;
        }
    }
}
