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

    final String runId;
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
    final byte[] flags = new byte[WINDOW];

    /** Aggregates of the points that left the window or arrived older than it. */
    final Aggregates evicted = new Aggregates();
    long evictedCount;

    /** Raw diagnoses read at the last {@link #READINGS} prefixes (the newest last); null = none. */
    final RawReading[] readings = new RawReading[READINGS];

    Diagnosis current;             // null until the first event is emitted
    long sinceEpoch = Point.NONE;
    boolean finished;
    long lastActivityMillis;       // the latest event's timestamp, for stalled runs
    boolean stalled;

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

    public long lastActivityMillis() {
        return lastActivityMillis;
    }

    /** Points seen (not counting duplicates). */
    public long points() {
        return evictedCount + size;
    }

    public int windowSize() {
        return size;
    }

    public Point point(int i) {
        return new Point(epochs[i], steps[i], train[i], val[i], valScore[i], flags[i]);
    }

    /**
     * The diagnosis the last readings agree on, or null while they don't (or one sits on the line
     * between two): a function of the points alone. The diagnosis said equals it once it settles.
     */
    public Diagnosis settledReading() {
        return Hysteresis.settled(readings);
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
                return ABSORBED;
            }
            // the oldest point leaves; the ones before the new point move down one, which frees
            // exactly the slot before the ones after it
            evicted.add(point(0));
            evictedCount++;
            shift(1, 0, pos - 1);
            pos--;
            put(pos, p);
            return pos;
        }
        shift(pos, pos + 1, size - pos);
        put(pos, p);
        size++;
        return pos;
    }

    private void put(int pos, Point p) {
        epochs[pos] = p.epoch();
        steps[pos] = p.step();
        train[pos] = p.train();
        val[pos] = p.val();
        valScore[pos] = p.valScore();
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
        System.arraycopy(flags, from, flags, to, count);
    }

    /**
     * A copy that shares nothing mutable with this state: what a caller keeps while an update runs,
     * to fall back on if the update fails half-way (a copy of the arrays, far cheaper than encoding).
     */
    public RunState copy() {
        RunState c = new RunState(runId);
        c.config = config;
        c.encodedHead = encodedHead; // replaced, never changed in place
        c.configSeen = configSeen;
        c.size = size;
        System.arraycopy(epochs, 0, c.epochs, 0, size);
        System.arraycopy(steps, 0, c.steps, 0, size);
        System.arraycopy(train, 0, c.train, 0, size);
        System.arraycopy(val, 0, c.val, 0, size);
        System.arraycopy(valScore, 0, c.valScore, 0, size);
        System.arraycopy(flags, 0, c.flags, 0, size);
        c.evicted.copyFrom(evicted);
        c.evictedCount = evictedCount;
        System.arraycopy(readings, 0, c.readings, 0, READINGS);
        c.current = current;
        c.sinceEpoch = sinceEpoch;
        c.finished = finished;
        c.lastActivityMillis = lastActivityMillis;
        c.stalled = stalled;
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
                && Arrays.equals(valScore, 0, size, s.valScore, 0, size) && Arrays.equals(flags, 0, size, s.flags, 0, size)
                && evicted.equals(s.evicted) && evictedCount == s.evictedCount && Arrays.equals(readings, s.readings)
                && current == s.current && sinceEpoch == s.sinceEpoch && finished == s.finished
                && lastActivityMillis == s.lastActivityMillis && stalled == s.stalled;
    }

    @Override
    public int hashCode() {
        return runId.hashCode() * 31 + size;
    }

    /**
     * Order-independent aggregates of a set of points: the first point (smallest key), the best
     * (lowest) train and val loss with where they were, and the first non-finite loss. Adding a
     * point twice changes nothing.
     */
    static final class Aggregates {
        long firstEpoch = Long.MAX_VALUE, firstStep = Long.MAX_VALUE;
        float firstTrain = Float.NaN, firstVal = Float.NaN;
        float bestTrain = Float.NaN;
        long bestTrainEpoch = Point.NONE, bestTrainStep = Point.NONE;
        float bestVal = Float.NaN;
        long bestValEpoch = Point.NONE, bestValStep = Point.NONE;
        float bestValTrain = Float.NaN; // the training loss where validation was best
        // the first non-finite training and validation losses, and whether each was ever finite: a
        // loss that never was finite (null at every point) was simply not reported
        long trainNonFiniteEpoch = Long.MAX_VALUE, trainNonFiniteStep = Long.MAX_VALUE;
        long valNonFiniteEpoch = Long.MAX_VALUE, valNonFiniteStep = Long.MAX_VALUE;
        boolean trainFinite, valFinite;

        boolean isEmpty() {
            return firstEpoch == Long.MAX_VALUE;
        }

        void add(Point p) {
            add(p.epoch(), p.step(), p.train(), p.val(), p.flags());
        }

        void add(long epoch, long step, float train, float val, int flags) {
            boolean hasTrain = (flags & Point.HAS_TRAIN) != 0, hasVal = (flags & Point.HAS_VAL) != 0;
            if (Point.compareKeys(epoch, step, firstEpoch, firstStep) < 0) {
                firstEpoch = epoch;
                firstStep = step;
                firstTrain = hasTrain ? train : Float.NaN;
                firstVal = hasVal ? val : Float.NaN;
            }
            if (hasTrain && Float.isFinite(train) && better(train, epoch, step, bestTrain, bestTrainEpoch, bestTrainStep)) {
                bestTrain = train;
                bestTrainEpoch = epoch;
                bestTrainStep = step;
            }
            if (hasVal && Float.isFinite(val) && better(val, epoch, step, bestVal, bestValEpoch, bestValStep)) {
                bestVal = val;
                bestValEpoch = epoch;
                bestValStep = step;
                bestValTrain = hasTrain ? train : Float.NaN;
            }
            if (hasTrain) {
                if (Float.isFinite(train)) {
                    trainFinite = true;
                } else if (Point.compareKeys(epoch, step, trainNonFiniteEpoch, trainNonFiniteStep) < 0) {
                    trainNonFiniteEpoch = epoch;
                    trainNonFiniteStep = step;
                }
            }
            if (hasVal) {
                if (Float.isFinite(val)) {
                    valFinite = true;
                } else if (Point.compareKeys(epoch, step, valNonFiniteEpoch, valNonFiniteStep) < 0) {
                    valNonFiniteEpoch = epoch;
                    valNonFiniteStep = step;
                }
            }
        }

        /**
         * Adds the window's first {@code to} points: {@link #add} for points already in key order,
         * in one tight pass (an earlier point wins a tie because only a strictly better value replaces).
         */
        void addSorted(RunState s, int to) {
            if (to == 0) {
                return;
            }
            if (Point.compareKeys(s.epochs[0], s.steps[0], firstEpoch, firstStep) < 0) {
                add(s.epochs[0], s.steps[0], s.train[0], s.val[0], s.flags[0]);
            }
            int bestT = -1, bestV = -1;
            float minT = Float.isNaN(bestTrain) ? Float.POSITIVE_INFINITY : bestTrain;
            float minV = Float.isNaN(bestVal) ? Float.POSITIVE_INFINITY : bestVal;
            int firstBadT = -1, firstBadV = -1;
            for (int i = 0; i < to; i++) {
                int f = s.flags[i];
                if ((f & Point.HAS_TRAIN) != 0) {
                    float v = s.train[i];
                    if (Float.isFinite(v)) {
                        trainFinite = true;
                        if (v < minT) {
                            minT = v;
                            bestT = i;
                        }
                    } else if (firstBadT < 0) {
                        firstBadT = i;
                    }
                }
                if ((f & Point.HAS_VAL) != 0) {
                    float v = s.val[i];
                    if (Float.isFinite(v)) {
                        valFinite = true;
                        if (v < minV) {
                            minV = v;
                            bestV = i;
                        }
                    } else if (firstBadV < 0) {
                        firstBadV = i;
                    }
                }
            }
            // ties with the evicted best: the evicted point is earlier, and it stays (strict <)
            if (bestT >= 0) {
                bestTrain = minT;
                bestTrainEpoch = s.epochs[bestT];
                bestTrainStep = s.steps[bestT];
            }
            if (bestV >= 0) {
                bestVal = minV;
                bestValEpoch = s.epochs[bestV];
                bestValStep = s.steps[bestV];
                bestValTrain = (s.flags[bestV] & Point.HAS_TRAIN) != 0 ? s.train[bestV] : Float.NaN;
            }
            if (firstBadT >= 0 && Point.compareKeys(s.epochs[firstBadT], s.steps[firstBadT], trainNonFiniteEpoch, trainNonFiniteStep) < 0) {
                trainNonFiniteEpoch = s.epochs[firstBadT];
                trainNonFiniteStep = s.steps[firstBadT];
            }
            if (firstBadV >= 0 && Point.compareKeys(s.epochs[firstBadV], s.steps[firstBadV], valNonFiniteEpoch, valNonFiniteStep) < 0) {
                valNonFiniteEpoch = s.epochs[firstBadV];
                valNonFiniteStep = s.steps[firstBadV];
            }
        }

        void copyFrom(Aggregates a) {
            firstEpoch = a.firstEpoch;
            firstStep = a.firstStep;
            firstTrain = a.firstTrain;
            firstVal = a.firstVal;
            bestTrain = a.bestTrain;
            bestTrainEpoch = a.bestTrainEpoch;
            bestTrainStep = a.bestTrainStep;
            bestVal = a.bestVal;
            bestValEpoch = a.bestValEpoch;
            bestValStep = a.bestValStep;
            bestValTrain = a.bestValTrain;
            trainNonFiniteEpoch = a.trainNonFiniteEpoch;
            trainNonFiniteStep = a.trainNonFiniteStep;
            valNonFiniteEpoch = a.valNonFiniteEpoch;
            valNonFiniteStep = a.valNonFiniteStep;
            trainFinite = a.trainFinite;
            valFinite = a.valFinite;
        }

        /**
         * A loss went non-finite: validation after having been finite; training after having been
         * finite, or with no finite loss at all in the run.
         */
        boolean hasNonFinite() {
            return trainNonFinite() || valNonFinite();
        }

        private boolean trainNonFinite() {
            return trainNonFiniteEpoch != Long.MAX_VALUE && (trainFinite || !valFinite);
        }

        private boolean valNonFinite() {
            return valNonFiniteEpoch != Long.MAX_VALUE && valFinite;
        }

        /** An immutable snapshot, with the first non-finite loss that counts (the earlier of the two). */
        Landmarks landmarks() {
            boolean t = trainNonFinite(), v = valNonFinite();
            boolean trainFirst = t && (!v || Point.compareKeys(trainNonFiniteEpoch, trainNonFiniteStep, valNonFiniteEpoch,
                    valNonFiniteStep) <= 0);
            return new Landmarks(firstEpoch, firstStep, firstTrain, firstVal, bestTrain, bestTrainEpoch, bestTrainStep,
                    bestVal, bestValEpoch, bestValStep, bestValTrain, t || v,
                    trainFirst ? trainNonFiniteEpoch : valNonFiniteEpoch, trainFirst ? trainNonFiniteStep : valNonFiniteStep);
        }

        /** Lower wins; on a tie the earlier point, so the result does not depend on arrival order. */
        private static boolean better(float v, long epoch, long step, float best, long bestEpoch, long bestStep) {
            return Float.isNaN(best) || v < best || (v == best && Point.compareKeys(epoch, step, bestEpoch, bestStep) < 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Aggregates a && firstEpoch == a.firstEpoch && firstStep == a.firstStep
                    && Float.compare(firstTrain, a.firstTrain) == 0 && Float.compare(firstVal, a.firstVal) == 0
                    && Float.compare(bestTrain, a.bestTrain) == 0 && bestTrainEpoch == a.bestTrainEpoch
                    && bestTrainStep == a.bestTrainStep && Float.compare(bestVal, a.bestVal) == 0
                    && bestValEpoch == a.bestValEpoch && bestValStep == a.bestValStep
                    && Float.compare(bestValTrain, a.bestValTrain) == 0
                    && trainNonFiniteEpoch == a.trainNonFiniteEpoch && trainNonFiniteStep == a.trainNonFiniteStep
                    && valNonFiniteEpoch == a.valNonFiniteEpoch && valNonFiniteStep == a.valNonFiniteStep
                    && trainFinite == a.trainFinite && valFinite == a.valFinite;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(firstEpoch);
        }
    }
}
