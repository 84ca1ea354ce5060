package dev.lossdoctor.streams;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.streams.AnalysisMetrics.Release;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The runs one task holds: their states in the store, and beside it a small in-memory summary of
 * each (diagnosis, last activity, finished), so that the sweeper and the live-run cap never have
 * to read every state. The summaries are rebuilt from the store when the task starts, so they
 * always agree with it, restores and restarts included.
 *
 * <p>The states of the runs touched last are also held decoded, and written back to the store once
 * per commit ({@link #writeChanged}, which the task calls before it commits) rather than encoded
 * and written on every event: a busy run's 100 events between two commits cost one write.
 */
final class HeldRuns {

    /**
     * What the sweeper, the cap and the metrics need to know about a run without reading its state;
     * {@code current} is the diagnosis the run shows ({@code lagging} over its own, for a run of a
     * sweep that lags), as its status and the {@code lossdoctor_runs} gauges count it.
     */
    record Summary(Diagnosis current, long lastActivityMillis, boolean finished) {
        static Summary of(RunState s, boolean lagging) {
            return new Summary(lagging ? Diagnosis.LAGGING : diagnosisOf(s), s.lastActivityMillis(), s.finished());
        }
    }

    /** Decoded states of the runs touched last, so that a busy run is not decoded from the store on every event. */
    static final int RECENT_STATES = 2048;

    private final KeyValueStore<String, RunState> store;
    private final Map<String, Summary> summaries = new HashMap<>();
    private final Map<String, Held> recent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Held> eldest) {
            if (size() <= RECENT_STATES) {
                return false;
            }
            if (eldest.getValue().changed) {
                store.put(eldest.getKey(), eldest.getValue().state); // leaving memory: the store must have it
                changed.remove(eldest.getKey());
            }
            if (eldest.getValue() == lastGot) {
                lastGot = null;
            }
            return true;
        }
    };
    /** Runs whose state here is newer than the store's (always among the recent ones), in the order they changed. */
    private final Set<String> changed = new LinkedHashSet<>();

    /** A recent run's decoded state, and whether it is in {@link #changed} (so that a run's event asks that set nothing). */
    private static final class Held {
        RunState state;
        boolean changed;

        Held(RunState state) {
            this.state = state;
        }
    }

    /**
     * The recent entry {@link #get} returned last (null: none, or the state came from the store):
     * the {@link #fallback} and {@link #put} of the same event find it without another lookup.
     */
    private Held lastGot;
    private final AtomicInteger instanceRuns;
    private final AnalysisMetrics metrics;

    /**
     * @param instanceRuns the runs held by all tasks of this instance (shared between them), for the cap
     */
    private Consumer<String> alsoEvict = runId -> { };
    /** Whether a run shows lagging (its sweep overlay); none by default. */
    private Predicate<String> lagging = runId -> false;

    HeldRuns(KeyValueStore<String, RunState> store, AtomicInteger instanceRuns, AnalysisMetrics metrics) {
        this.store = store;
        this.instanceRuns = instanceRuns;
        this.metrics = metrics;
    }

    /** A run with no diagnosis yet is warming up, as its status says. */
    static Diagnosis diagnosisOf(RunState s) {
        return s.current() == null ? Diagnosis.WARMING_UP : s.current();
    }

    /** Reads what the store holds (at task start). */
    void load() {
        List<String> unreadable = new ArrayList<>();
        try (KeyValueIterator<String, RunState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, RunState> kv = all.next();
                if (kv.value == null) {
                    unreadable.add(kv.key); // logged by RunStateSerde
                } else {
                    hold(kv.key, Summary.of(kv.value, lagging.test(kv.key)));
                }
            }
        }
        unreadable.forEach(store::delete);
    }

    /**
     * The run's state, or null when this task does not hold it. A caller that changes it {@link
     * #put}s it back; one whose change may fail half-way takes a {@link #fallback} first.
     */
    RunState get(String runId) {
        Held h = recent.get(runId);
        lastGot = h;
        return h != null ? h.state : store.get(runId);
    }

    /** The entry {@link #get} found {@code state} in, or null (then ask the maps). */
    private Held lastGotOf(RunState state) {
        Held h = lastGot;
        return h != null && h.state == state ? h : null;
    }

    /**
     * What to go back to if an update of the run (held here as {@code state}) fails half-way: a copy
     * when the state here is newer than the store's, else nothing (the store has it).
     */
    RunState fallback(RunState state) {
        Held h = lastGotOf(state);
        if (h != null ? !h.changed : !changed.contains(state.runId())) {
            return null;
        }
        spare = state.copyInto(spare); // one object, copied into before every update: no state allocated per event
        return spare;
    }

    /** What {@link #fallback} copies into; taken (and a new one made next time) when {@link #restore} keeps it. */
    private RunState spare;

    /**
     * After an update failed half-way: the half-changed object is never seen again. The run goes
     * back to {@code fallback} (from {@link #fallback}), or, when that is null, to the store's state.
     */
    void restore(String runId, RunState fallback) {
        if (fallback != null) {
            if (fallback == spare) {
                spare = null; // held from now on
            }
            Held h = recent.get(runId);
            if (h == null) {
                h = new Held(fallback);
                h.changed = changed.contains(runId);
                recent.put(runId, h);
            }
            h.state = fallback; // still newer than the store: written at the commit
        } else {
            recent.remove(runId);
            changed.remove(runId);
        }
        lastGot = null;
    }

    /**
     * Takes the run's state back: written to the store at the next commit. A run new to this task
     * counts from here (its metrics from {@link RunOutputs}).
     */
    void put(RunState state) {
        Held h = lastGotOf(state);
        if (h == null) { // else get just found it, and made it the most recent
            h = recent.get(state.runId());
            if (h == null) {
                h = new Held(state);
                recent.put(state.runId(), h);
            }
            h.state = state;
        }
        if (!h.changed) {
            h.changed = true;
            changed.add(state.runId());
        }
        lastGot = null;
        if (summaries.put(state.runId(), Summary.of(state, lagging.test(state.runId()))) == null) {
            instanceRuns.incrementAndGet();
        }
    }

    /** Writes the states changed since the last commit to the store: called just before the task commits. */
    void writeChanged() {
        for (String runId : changed) {
            Held h = recent.get(runId);
            store.put(runId, h.state);
            h.changed = false;
        }
        changed.clear();
    }

    /** Which runs show lagging over their own diagnosis: set before {@link #load}. */
    void showsLagging(Predicate<String> lagging) {
        this.lagging = lagging;
    }

    /** The diagnosis a held run shows (null: not held). */
    Diagnosis shown(String runId) {
        Summary s = summaries.get(runId);
        return s == null ? null : s.current();
    }

    /** The run's lagging changed: its summary shows it from now on (its state is unchanged). */
    void reshow(RunState state) {
        summaries.computeIfPresent(state.runId(), (id, s) -> Summary.of(state, lagging.test(id)));
    }

    /** What else goes with an evicted run (its sweep membership). */
    void whenEvicted(Consumer<String> also) {
        this.alsoEvict = also;
    }

    void evict(String runId, Release why) {
        alsoEvict.accept(runId);
        Summary s = summaries.remove(runId);
        recent.remove(runId);
        changed.remove(runId);
        lastGot = null;
        store.delete(runId);
        if (s != null) {
            instanceRuns.decrementAndGet();
            metrics.runReleased(runId, s.current(), why);
        }
    }

    /**
     * Lets go of every run without touching the store: the task is closing, and Kafka has just
     * prepared its last commit (which wrote every change). On a dirty close under exactly-once
     * that commit's transaction is aborted and the store wiped and restored from the changelog.
     */
    void releaseAll() {
        summaries.forEach((runId, s) -> metrics.runReleased(runId, s.current(), Release.REASSIGNED));
        instanceRuns.addAndGet(-summaries.size());
        summaries.clear();
        recent.clear();
        changed.clear();
        lastGot = null;
    }

    Map<String, Summary> summaries() {
        return Map.copyOf(summaries);
    }

    int instanceRuns() {
        return instanceRuns.get();
    }

    /** The {@code n} runs of this task with the oldest last activity, idlest first (ties by run id). */
    List<String> idlest(int n) {
        Comparator<Map.Entry<String, Summary>> idleness = Comparator
                .comparingLong((Map.Entry<String, Summary> e) -> e.getValue().lastActivityMillis())
                .thenComparing(Map.Entry::getKey);
        PriorityQueue<Map.Entry<String, Summary>> keep = new PriorityQueue<>(idleness.reversed());
        for (Map.Entry<String, Summary> e : summaries.entrySet()) {
            keep.add(e);
            if (keep.size() > n) {
                keep.poll();
            }
        }
        List<Map.Entry<String, Summary>> sorted = new ArrayList<>(keep);
        sorted.sort(idleness);
        return sorted.stream().map(Map.Entry::getKey).toList();
    }

    private void hold(String runId, Summary summary) {
        summaries.put(runId, summary);
        instanceRuns.incrementAndGet();
        metrics.runHeld(runId, summary.current());
    }
}
