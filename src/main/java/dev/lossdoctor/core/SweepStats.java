package dev.lossdoctor.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sweep remembers of its runs to rank them at the same epoch: for each run and each
 * checkpoint, its best validation value up to that checkpoint; not the runs' curves. Bounded:
 * at most {@link #MAX_MEMBERS} runs and {@link #MAX_CHECKPOINTS} checkpoints (every epoch up to
 * {@link #DENSE}, then one every 12.5% further, so a run of 100 epochs needs 43 and one of a
 * million steps 121), allocated only as far as the runs got.
 *
 * <p>A function of the set of points, not of their order: a run's best at a checkpoint is the
 * minimum over its points up to it (a late point lowers every checkpoint from its epoch on), and
 * a run has reached a checkpoint once any of its points is at or past it, or once it finished.
 *
 * <p>Two tables: best validation loss, and (negated, so lower is better there too) best
 * validation score, for runs that report no finite validation loss (ImageNet logs that give top-1
 * accuracy only). A run is ranked with the siblings of its own table.
 */
public final class SweepStats {

    /** Runs a sweep tracks; later ones get no verdict (a sweep that large is ranked well by its first ones). */
    public static final int MAX_MEMBERS = 512;
    /** Checkpoints at every epoch (or step) below this. */
    static final int DENSE = 32;
    static final int MAX_CHECKPOINTS = 160;
    private static final double GROWTH = 1.125;
    private static final long[] CHECKPOINTS = new long[MAX_CHECKPOINTS];

    static {
        for (int k = 0; k < MAX_CHECKPOINTS; k++) {
            CHECKPOINTS[k] = k < DENSE ? k : (long) Math.floor(DENSE * Math.pow(GROWTH, k - DENSE));
        }
    }

    final String sweepId;
    final List<String> members = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    /** Per member: the furthest epoch (or step) reported; -1: none yet. */
    long[] reached = new long[0];
    /** Per member: whether any point gave a finite validation loss (then it is ranked by loss). */
    boolean[] finiteLoss = new boolean[0];
    /** Per member: whether its points count steps (no epoch). */
    boolean[] bySteps = new boolean[0];
    /** [checkpoint][member]: best validation loss up to the checkpoint (+inf: only non-finite ones; NaN: no point yet). */
    float[][] loss = new float[0][];
    /** [checkpoint][member]: minus the best validation score up to the checkpoint (NaN: none yet). */
    float[][] score = new float[0][];
    /** Per member: its {@code max_epochs} (-1: unknown), for its warm-up when a sibling's point re-ranks it. */
    int[] maxEpochs = new int[0];
    /**
     * Per member: the verdict it was last given, as far as deciding whether to give it a new one
     * goes: its checkpoint (-1: none yet), the siblings counted and whether it lagged.
     */
    int[] givenAt = new int[0];
    int[] givenOf = new int[0];
    boolean[] givenLagging = new boolean[0];
    /** The latest record time of the sweep's points and ends (epoch millis; for expiring the sweep). */
    long lastActivityMillis = Long.MIN_VALUE;
    /** The checkpoints the last {@link #add} or {@link #finish} may have changed a ranking at (empty when lo > hi). */
    private int touchedLo = 1;
    private int touchedHi = 0;
    /** Whether the last change was a point (then its run gets a verdict), not an end. */
    private boolean byPoint;

    /** A verdict on one run of the sweep. */
    public record Verdict(String runId, Siblings siblings) {
    }

    public SweepStats(String sweepId) {
        this.sweepId = sweepId;
    }

    public String sweepId() {
        return sweepId;
    }

    public int size() {
        return members.size();
    }

    /** The epoch (or step) of checkpoint {@code k}. */
    static long checkpoint(int k) {
        return CHECKPOINTS[k];
    }

    /** The last checkpoint at or before {@code x} (-1 for a negative x). */
    static int floorIndex(long x) {
        int i = Arrays.binarySearch(CHECKPOINTS, x);
        return i >= 0 ? i : -i - 2;
    }

    /** Whether every run of the sweep has finished (a sweep with no runs has not). */
    public boolean allFinished() {
        for (int m = 0; m < members.size(); m++) {
            if (reached[m] != Long.MAX_VALUE) {
                return false;
            }
        }
        return !members.isEmpty();
    }

    /** The latest record time of the sweep's points and ends (Long.MIN_VALUE: none). */
    public long lastActivityMillis() {
        return lastActivityMillis;
    }

    /** Notes a record time of the sweep (the latest one stands). */
    public void active(long recordMillis) {
        lastActivityMillis = Math.max(lastActivityMillis, recordMillis);
    }

    /**
     * Adds a point of run {@code runId}; false when the sweep is full and the run is not one of
     * its members (nothing is kept then).
     */
    public boolean add(String runId, Point p) {
        return add(runId, p, null);
    }

    /** Adds a point of run {@code runId}, whose {@code max_epochs} is {@code maxEpochs} (null: unknown). */
    public boolean add(String runId, Point p, Integer maxEpochs) {
        touchedLo = 1;
        touchedHi = 0;
        byPoint = true;
        long x = p.x();
        if (x < 0) {
            return index.containsKey(runId);
        }
        int m = member(runId);
        if (m < 0) {
            return false;
        }
        if (maxEpochs != null) {
            this.maxEpochs[m] = maxEpochs;
        }
        long before = reached[m];
        boolean tableBefore = byLossTable(m);
        reached[m] = Math.max(reached[m], x);
        bySteps[m] = p.epoch() == Point.NONE;
        growTo(Math.min(MAX_CHECKPOINTS - 1, ceilIndex(x)));
        int from = ceilIndex(x);
        boolean lowered = false;
        if (p.hasVal()) {
            float v = Float.isFinite(p.val()) ? p.val() : Float.POSITIVE_INFINITY;
            finiteLoss[m] |= Float.isFinite(p.val());
            lowered = lower(loss, from, m, v);
        }
        if ((p.flags() & Point.HAS_VAL_SCORE) != 0 && Float.isFinite(p.valScore())) {
            lowered |= lower(score, from, m, -p.valScore());
        }
        // the run counts from here at the checkpoints it newly reached, and with new values from its point's on
        // (a run that changed tables leaves one ranking and joins the other at every checkpoint it reached)
        int newly = ceilIndex(before + 1);
        touched(tableBefore != byLossTable(m) ? 0 : lowered ? Math.min(newly, from) : newly, floorIndex(reached[m]));
        return true;
    }

    private void touched(int lo, int hi) {
        touchedLo = lo;
        touchedHi = Math.min(hi, loss.length - 1);
    }

    private boolean byLossTable(int m) {
        return finiteLoss[m] || !hasAny(score, m);
    }

    /**
     * A run of the sweep finished (or was stopped): from now on it counts at every later checkpoint
     * with the best it reached, as the result its configuration gave; otherwise the later
     * checkpoints would rank a run among the few still going, ever stricter.
     */
    public void finish(String runId) {
        touchedLo = 1;
        touchedHi = 0;
        byPoint = false;
        Integer m = index.get(runId);
        if (m != null && reached[m] >= 0 && reached[m] != Long.MAX_VALUE) {
            long before = reached[m];
            reached[m] = Long.MAX_VALUE;
            touched(ceilIndex(before + 1), loss.length - 1);
        }
    }

    /**
     * The verdicts the last {@link #add} (of {@code reporter}'s point) or {@link #finish} (of
     * {@code reporter}) calls for: after a point, the reporter's own (when there is one), then, in
     * member order, each unfinished sibling whose ranking may have moved, when its ranking is
     * final (every run of its ranking has reached its checkpoint) and differs from the verdict it
     * was last given. Only runs whose current checkpoint lies in the changed range, or below it
     * with the range within their reach, are ranked again. So once every run of a sweep has
     * reported an epoch, each run's latest verdict is the one the full set of points gives,
     * whatever order they came in.
     */
    public List<Verdict> verdicts(String reporter, SweepRule rule) {
        List<Verdict> out = new ArrayList<>();
        Integer r = index.get(reporter);
        if (r != null && byPoint) {
            Siblings own = verdict(r, rule);
            if (own != null) {
                give(r, own);
                out.add(new Verdict(reporter, own));
            }
        }
        for (int j = 0; j < members.size() && touchedLo <= touchedHi; j++) {
            if ((r != null && j == r) || reached[j] < 0 || reached[j] == Long.MAX_VALUE
                    || floorIndex(reached[j]) < touchedLo || givenAt[j] > touchedHi) {
                continue;
            }
            Siblings v = verdict(j, rule);
            if (v == null) {
                continue;
            }
            // only a final ranking (every sibling there): one on the first five to arrive would stop
            // runs on the luck of the order (the best run of 2 of the 18 bench sweeps was stopped so)
            boolean last = v.of() == rankedWith(j) + 1;
            if (last && (floorIndex(v.at()) != givenAt[j] || v.lagging() != givenLagging[j] || v.of() != givenOf[j])) {
                give(j, v);
                out.add(new Verdict(members.get(j), v));
            }
        }
        return out;
    }

    private void give(int m, Siblings v) {
        givenAt[m] = floorIndex(v.at());
        givenOf[m] = v.of();
        givenLagging[m] = v.lagging();
    }

    /** The other runs of {@code m}'s ranking (the same table): all that a checkpoint of it can count. */
    private int rankedWith(int m) {
        boolean byLoss = byLossTable(m);
        int n = 0;
        for (int j = 0; j < members.size(); j++) {
            if (j != m && reached[j] >= 0 && byLossTable(j) == byLoss) {
                n++;
            }
        }
        return n;
    }

    /** The first checkpoint at or after {@code x}. */
    private static int ceilIndex(long x) {
        int i = Arrays.binarySearch(CHECKPOINTS, x);
        return i >= 0 ? i : Math.min(MAX_CHECKPOINTS, -i - 1);
    }

    /** Whether any value changed. */
    private static boolean lower(float[][] table, int from, int m, float v) {
        boolean changed = false;
        for (int k = from; k < table.length; k++) {
            float old = table[k][m];
            if (Float.isNaN(old) || v < old) {
                table[k][m] = v;
                changed = true;
            }
        }
        return changed;
    }

    int member(String runId) {
        Integer m = index.get(runId);
        if (m != null) {
            return m;
        }
        if (members.size() >= MAX_MEMBERS) {
            return -1;
        }
        int n = members.size();
        members.add(runId);
        index.put(runId, n);
        reached = Arrays.copyOf(reached, n + 1);
        reached[n] = -1;
        finiteLoss = Arrays.copyOf(finiteLoss, n + 1);
        bySteps = Arrays.copyOf(bySteps, n + 1);
        maxEpochs = Arrays.copyOf(maxEpochs, n + 1);
        maxEpochs[n] = -1;
        givenAt = Arrays.copyOf(givenAt, n + 1);
        givenAt[n] = -1;
        givenOf = Arrays.copyOf(givenOf, n + 1);
        givenLagging = Arrays.copyOf(givenLagging, n + 1);
        loss = widen(loss, n + 1);
        score = widen(score, n + 1);
        return n;
    }

    private static float[][] widen(float[][] table, int members) {
        for (int k = 0; k < table.length; k++) {
            int old = table[k].length;
            table[k] = Arrays.copyOf(table[k], members);
            Arrays.fill(table[k], old, members, Float.NaN);
        }
        return table;
    }

    /**
     * Allocates checkpoints up to {@code last}, each new one starting from the one before it: every
     * point so far lies at or before the last allocated checkpoint, so its bests are the new one's.
     */
    private void growTo(int last) {
        int had = loss.length;
        if (last < had) {
            return;
        }
        loss = Arrays.copyOf(loss, last + 1);
        score = Arrays.copyOf(score, last + 1);
        for (int k = had; k <= last; k++) {
            loss[k] = k == 0 ? nans(members.size()) : loss[k - 1].clone();
            score[k] = k == 0 ? nans(members.size()) : score[k - 1].clone();
        }
    }

    private static float[] nans(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    /**
     * Run {@code runId}'s place among its siblings at the latest checkpoint it has reached, past
     * the warm-up, that at least {@code rule.minSiblings()} siblings have reached too; null when
     * there is none (too early, too few siblings, or not a member).
     */
    public Siblings verdict(String runId, Integer maxEpochs, SweepRule rule) {
        Integer m = index.get(runId);
        if (m == null || reached[m] < 0) {
            return null;
        }
        return verdict(m, maxEpochs, rule);
    }

    private Siblings verdict(int m, SweepRule rule) {
        return verdict(m, maxEpochs[m] < 0 ? null : maxEpochs[m], rule);
    }

    private Siblings verdict(int m, Integer maxEpochs, SweepRule rule) {
        boolean byScore = !finiteLoss[m] && hasAny(score, m);
        float[][] table = byScore ? score : loss;
        long warmup = rule.warmup(bySteps[m] ? null : maxEpochs);
        float[] values = new float[members.size()];
        int[] who = new int[members.size()];
        for (int k = Math.min(floorIndex(reached[m]), table.length - 1); k >= 0 && CHECKPOINTS[k] >= warmup; k--) {
            float own = table[k][m];
            if (Float.isNaN(own)) {
                return null; // no point of its own this early: nothing earlier either
            }
            int n = 0;
            for (int j = 0; j < members.size(); j++) {
                if (j != m && reached[j] >= CHECKPOINTS[k] && sameTable(j, byScore) && !Float.isNaN(table[k][j])) {
                    values[n] = table[k][j];
                    who[n++] = j;
                }
            }
            if (n >= rule.minSiblings()) {
                return rank(m, k, byScore, Arrays.copyOf(values, n), own, rule, who, bySteps[m] ? null : maxEpochs);
            }
        }
        return null;
    }

    private boolean sameTable(int j, boolean byScore) {
        return byScore ? !finiteLoss[j] && hasAny(score, j) : finiteLoss[j] || !hasAny(score, j);
    }

    private static boolean hasAny(float[][] table, int m) {
        return table.length > 0 && !Float.isNaN(table[table.length - 1][m]);
    }

    /** Worse than the threshold lags, unless catching up with it ({@link CatchUp}; {@code who}: the siblings counted). */
    private Siblings rank(int m, int k, boolean byScore, float[] values, float own, SweepRule rule, int[] who, Integer max) {
        Arrays.sort(values);
        int better = 0;
        for (float v : values) {
            better += v < own ? 1 : 0;
        }
        double median = SweepRule.percentile(values, 50);
        double threshold = SweepRule.percentile(values, rule.percentile());
        boolean lagging = own > threshold
                && !CatchUp.closing(byScore ? score : loss, m, k, who, values.length, own, threshold, rule, max);
        int sign = byScore ? -1 : 1; // the score table holds minus the scores
        // rounded as the evidence shows them (the verdict is taken before)
        return new Siblings(sweepId, CHECKPOINTS[k], bySteps[m], byScore, better + 1, values.length + 1, sign * Text.round(median),
                sign * Text.round(threshold), sign * Text.round(own), lagging);
    }
}
