package dev.lossdoctor.core;

import java.util.Arrays;

/**
 * Everything the analysis remembers about one run, bounded whatever the run's length: the last
 * {@link #WINDOW} points (sorted by epoch then step, duplicates dropped), aggregates of the points
 * that left the window (first point, best losses, first non-finite point), and the diagnosis last
 * emitted. The stream processor keeps one per live run in its state store ({@link RunStateCodec}).
 *
 * <p>The diagnosis is a function of the set of points, not of their arrival order: a late point
 * lands in its place in the window (or, older than the window, in the aggregates), and the raw
 * readings of the last few prefixes, which the hysteresis looks at, are recomputed.
 */
public final class RunState {

    /** Points kept per run. Enough for trends and oscillation; long-range facts live in the aggregates. */
    public static final int WINDOW = 64;
    /** Raw readings kept for the hysteresis (the last prefixes of the curve). */
    static final int READINGS = 3;

    /** Not final only so that {@link #copyInto} can reuse a state object for another run's copy. */
    String runId;
    RunConfig config = RunConfig.EMPTY;
    /** The encoded run id and config, kept for {@link RunStateCodec#encode}: null when they changed. */
    byte[] encodedHead;
    boolean configSeen;

    // the window, columnar: cheap to scan and to serialize
    int size;
    final long[] epochs = new long[WINDOW];
    final long[] steps = new long[WINDOW];
    final float[] train = new float[WINDOW];
    final float[] val = new float[WINDOW];
    final float[] valScore = new float[WINDOW];
    /** The learning rate the run reported at each point (NaN: none). */
    final float[] lr = new float[WINDOW];
    final byte[] flags = new byte[WINDOW];

    /** Aggregates of the points that left the window or arrived older than it. */
    final Aggregates evicted = new Aggregates();
    /**
     * Aggregates of all the run's points (those that left the window too), kept up to date point by
     * point: what a reading of the whole window needs, without a pass over it. Derived: rebuilt from
     * the evicted aggregates and the window when a state is decoded.
     */
    final Aggregates all = new Aggregates();
    long evictedCount;
    /** Running sums of the window's two losses, for fits in O(1) (derived: rebuilt when needed, never stored). */
    final FitSums trainSums = new FitSums(), valSums = new FitSums();

    /**
     * Changes of the window and the aggregates so far (derived, never stored): a reading made when it
     * had this value still holds while it has ({@link CurveReader} reuses it for the status).
     */
    long version;

    /** Raw diagnoses read at the last {@link #READINGS} prefixes (the newest last); null = none. */
    final RawReading[] readings = new RawReading[READINGS];

    Diagnosis current;             // null until the first event is emitted
    long sinceEpoch = Point.NONE;
    /**
     * Points seen when the current diagnosis was said (how long it has stood: the time-based hysteresis,
     * and when a plateau has lasted), and diagnoses of the curve said so far.
     */
    long saidAtPoints;
    int changes;
    /** Recovered loss spikes: how many, and the keys (epochs, or steps) of the latest {@link #SPIKES_KEPT}, in order. */
    static final int SPIKES_KEPT = 8;
    long spikeCount;
    final long[] spikes = new long[SPIKES_KEPT];
    int spikesKept;
    boolean finished;
    long lastActivityMillis;       // the latest event's timestamp, for stalled runs
    boolean stalled;
    /** The first advice to stop, or null: what the run trained after it is the cost of not taking it. */
    StopAdvice stopAdvice;
    /** Times the run resumed from a checkpoint ({@link Restart}). */
    int restarts;

    public RunState(String runId) {
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }

    public RunConfig config() {
        return config;
    }

    public Diagnosis current() {
        return current;
    }

    public boolean finished() {
        return finished;
    }

    /** Times the run resumed from a checkpoint. */
    public int restarts() {
        return restarts;
    }

    public long lastActivityMillis() {
        return lastActivityMillis;
    }

    /**
     * What the run trained after it was first advised to stop (DESIGN.md section 4,
     * {@code after_stop_advice}), up to its newest point; null if it never was.
     */
    public StopAdvice.Spent afterStopAdvice() {
        // (the stream asks before and after every event: the newest point's key only, not a whole point made)
        return stopAdvice == null || size == 0 ? null : stopAdvice.spent(lastX(), lastActivityMillis);
    }

    /** The newest point's epoch, or its step for a run reporting steps only ({@link Point#x}). */
    private long lastX() {
        return Landmarks.key(epochs[size - 1], steps[size - 1]);
    }

    /**
     * How far the run got: its newest point's epoch minus its first's (steps, for a run reporting
     * steps only), the unit of {@link #afterStopAdvice}'s epochs.
     */
    public long span() {
        if (size == 0) {
            return 0;
        }
        long first = all.firstEpoch != Point.NONE ? all.firstEpoch : all.firstStep;
        return Math.max(0, lastX() - first);
    }

    /** Points seen (not counting duplicates). */
    public long points() {
        return evictedCount + size;
    }

    public int windowSize() {
        return size;
    }

    public Point point(int i) {
        return new Point(epochs[i], steps[i], train[i], val[i], valScore[i], flags[i], lr[i]);
    }

    /**
     * The diagnosis the last readings agree on, or null while they don't (or one sits on the line
     * between two): a function of the points alone. The diagnosis said equals it once it settles.
     */
    public Diagnosis settledReading() {
        return Hysteresis.settled(readings);
    }

    /** Diagnoses of the curve said before the time-based hysteresis applies: the first one and the first problem come at once. */
    static final int DWELL_AFTER_CHANGES = 2;
    /** A later change waits until what was said has stood for this share of the points seen when it was said. */
    static final double DWELL_SHARE = 0.5;

    /**
     * The time-based hysteresis holds what was said: the run has said two diagnoses of its curve,
     * and the current one has not yet stood for {@link #DWELL_SHARE} of the points seen when it was
     * said (said at point 100: nothing new before point 150). Diverging is never held back
     * ({@link Hysteresis#settle}). So a run of N points changes its mind about 2 + log(N/10)/log(1.5)
     * times at most, whatever its noise. While it holds, the diagnosis said may differ from
     * {@link #settledReading()}.
     */
    boolean dwelling() {
        return changes >= DWELL_AFTER_CHANGES && current != null && ofTheCurve(current)
                && points() - saidAtPoints < DWELL_SHARE * saidAtPoints;
    }

    /** A diagnosis read from the curve (not warming up, stalled or a config check). */
    static boolean ofTheCurve(Diagnosis d) {
        return d != Diagnosis.WARMING_UP && d != Diagnosis.STALLED && d != Diagnosis.MISCONFIGURED;
    }

    /** Notes a recovered spike at {@code key} (once, whatever order the points came in: a known key is skipped). */
    void noteSpike(long key) {
        for (int i = 0; i < spikesKept; i++) {
            if (spikes[i] == key) {
                return;
            }
        }
        if (spikesKept > 0 && key < spikes[0] && spikesKept == SPIKES_KEPT) {
            spikeCount++; // older than every spike kept: counted only
            return;
        }
        if (spikesKept == SPIKES_KEPT) {
            System.arraycopy(spikes, 1, spikes, 0, --spikesKept);
        }
        int pos = spikesKept;
        while (pos > 0 && spikes[pos - 1] > key) {
            spikes[pos] = spikes[pos - 1];
            pos--;
        }
        spikes[pos] = key;
        spikesKept++;
        spikeCount++;
    }

    /** The keys of the recovered spikes kept, oldest first. */
    long[] spikeKeys() {
        return Arrays.copyOf(spikes, spikesKept);
    }

    /** Rebuilds {@link #all} from the evicted aggregates and the window (after decoding). */
    void rebuildAll() {
        version++;
        all.copyFrom(evicted);
        all.addSorted(this, size);
    }

    /** Index of the last point of the window, or -1. */
    int last() {
        return size - 1;
    }

    /** {@link #insert} of a point already in the window: nothing changed. */
    static final int DUPLICATE = -1;
    /** {@link #insert} of a point older than a full window: only the aggregates took it. */
    static final int ABSORBED = -2;

    /**
     * Puts a point in its place. Returns its index in the window, {@link #DUPLICATE}, or
     * {@link #ABSORBED}.
     */
    int insert(Point p) {
        version++;
        int pos = size;
        while (pos > 0 && Point.compareKeys(epochs[pos - 1], steps[pos - 1], p.epoch(), p.step()) > 0) {
            pos--;
        }
        if (pos > 0 && epochs[pos - 1] == p.epoch() && steps[pos - 1] == p.step()) {
            return DUPLICATE; // the first report of a point wins
        }
        if (size == WINDOW) {
            if (pos == 0) {
                evicted.add(p); // older than everything kept: it still counts for first/best
                all.add(p);
                return ABSORBED;
            }
            all.add(p);
            // the oldest point leaves; the ones before the new point move down one, which frees
            // exactly the slot before the ones after it
            evicted.add(point(0));
            evictedCount++;
            shift(1, 0, pos - 1);
            pos--;
            put(pos, p);
            if (pos == size - 1) {
                trainSums.droppedFirst();
                valSums.droppedFirst();
                appended();
            } else {
                invalidateSums();
            }
            return pos;
        }
        shift(pos, pos + 1, size - pos);
        put(pos, p);
        size++;
        all.add(p);
        if (pos == size - 1) {
            appended();
        } else {
            invalidateSums();
        }
        return pos;
    }

    private void appended() {
        trainSums.appended(train[size - 1], size);
        valSums.appended(val[size - 1], size);
    }

    private void invalidateSums() {
        trainSums.invalidate();
        valSums.invalidate();
    }

    private void put(int pos, Point p) {
        epochs[pos] = p.epoch();
        steps[pos] = p.step();
        train[pos] = p.train();
        val[pos] = p.val();
        valScore[pos] = p.valScore();
        lr[pos] = p.lr();
        flags[pos] = (byte) p.flags();
    }

    private void shift(int from, int to, int count) {
        if (count <= 0) {
            return;
        }
        System.arraycopy(epochs, from, epochs, to, count);
        System.arraycopy(steps, from, steps, to, count);
        System.arraycopy(train, from, train, to, count);
        System.arraycopy(val, from, val, to, count);
        System.arraycopy(valScore, from, valScore, to, count);
        System.arraycopy(lr, from, lr, to, count);
        System.arraycopy(flags, from, flags, to, count);
    }

    /**
     * A copy that shares nothing mutable with this state: what a caller keeps while an update runs,
     * to fall back on if the update fails half-way (a copy of the arrays, far cheaper than encoding).
     */
    public RunState copy() {
        return copyInto(null);
    }

    /**
     * {@link #copy}, into {@code target} (a state no one else holds, of any run, whose contents are
     * all replaced) rather than a new object: a caller that keeps a copy before every update reuses
     * one object instead of allocating a state per event. Null: a new object. Returns the copy.
     */
    public RunState copyInto(RunState target) {
        RunState c = target == null ? new RunState(runId) : target;
        c.version++; // (a reading kept of the target's former contents is stale)
        c.runId = runId;
        c.trainSums.invalidate(); // derived from the window: rebuilt when needed (a new object's are unbuilt too)
        c.valSums.invalidate();
        c.config = config;
        c.encodedHead = encodedHead; // replaced, never changed in place
        c.configSeen = configSeen;
        c.size = size;
        System.arraycopy(epochs, 0, c.epochs, 0, size);
        System.arraycopy(steps, 0, c.steps, 0, size);
        System.arraycopy(train, 0, c.train, 0, size);
        System.arraycopy(val, 0, c.val, 0, size);
        System.arraycopy(valScore, 0, c.valScore, 0, size);
        System.arraycopy(lr, 0, c.lr, 0, size);
        System.arraycopy(flags, 0, c.flags, 0, size);
        c.evicted.copyFrom(evicted);
        c.all.copyFrom(all);
        c.evictedCount = evictedCount;
        System.arraycopy(readings, 0, c.readings, 0, READINGS);
        c.current = current;
        c.sinceEpoch = sinceEpoch;
        c.saidAtPoints = saidAtPoints;
        c.changes = changes;
        c.spikeCount = spikeCount;
        c.spikesKept = spikesKept;
        System.arraycopy(spikes, 0, c.spikes, 0, spikesKept);
        c.finished = finished;
        c.lastActivityMillis = lastActivityMillis;
        c.stalled = stalled;
        c.stopAdvice = stopAdvice;
        c.restarts = restarts;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RunState s)) {
            return false;
        }
        return runId.equals(s.runId) && config.equals(s.config) && configSeen == s.configSeen && size == s.size
                && Arrays.equals(epochs, 0, size, s.epochs, 0, size) && Arrays.equals(steps, 0, size, s.steps, 0, size)
                && Arrays.equals(train, 0, size, s.train, 0, size) && Arrays.equals(val, 0, size, s.val, 0, size)
                && Arrays.equals(valScore, 0, size, s.valScore, 0, size)
                && Arrays.equals(lr, 0, size, s.lr, 0, size) && Arrays.equals(flags, 0, size, s.flags, 0, size)
                && evicted.equals(s.evicted) && evictedCount == s.evictedCount && Arrays.equals(readings, s.readings)
                && current == s.current && sinceEpoch == s.sinceEpoch && saidAtPoints == s.saidAtPoints
                && changes == s.changes && spikeCount == s.spikeCount
                && Arrays.equals(spikes, 0, spikesKept, s.spikes, 0, s.spikesKept) && finished == s.finished
                && lastActivityMillis == s.lastActivityMillis && stalled == s.stalled
                && java.util.Objects.equals(stopAdvice, s.stopAdvice) && restarts == s.restarts;
    }

    @Override
    public int hashCode() {
        return runId.hashCode() * 31 + size;
    }
}
