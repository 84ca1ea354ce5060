package dev.lossdoctor.core;

/**
 * A run resumed from a checkpoint (DESIGN.md section 2: a {@code run_started} with {@code
 * resumed_from_epoch} and/or {@code resumed_from_step}): its points after the checkpoint are
 * dropped, for the points the resumed training reports replace them.
 *
 * <p>What is read of the run after that: its curve is the points kept and the new ones. The raw
 * readings the hysteresis looks at are forgotten (they read points dropped): the diagnosis said stands
 * until the readings of new points settle on another one, as any change does ({@link
 * Hysteresis#settle}: one reading for a healthy run's first problem, three back to healthy). The
 * time-based hysteresis starts afresh, as a new run's ({@link RunState#dwelling}): a restart is a
 * deliberate change (a restored checkpoint, a lower rate), not noise to hold back. An advice to stop
 * given after the checkpoint was taken: it is dropped with the points it was given on.
 *
 * <p>Order independence holds between restarts: a run's records come in order on its partition, so
 * the points after a resume are the resumed training's, whatever their order among themselves.
 * Points older than the window are in its aggregates (first point, best losses), which keep them: a
 * run resumed from more than {@link RunState#WINDOW} points back keeps bests it may no longer reach.
 */
final class Restart {

    private Restart() {
    }

    /** Drops the points after the checkpoint (epoch, a whole or fractional number, and/or step; null: not said). */
    static void apply(RunState s, Double fromEpoch, Long fromStep) {
        long epochCut = fromEpoch == null ? Long.MAX_VALUE : (long) Math.floor(fromEpoch);
        long stepCut = fromStep == null ? Long.MAX_VALUE : fromStep;
        boolean byEpoch = s.size > 0 && s.epochs[s.size - 1] != Point.NONE;
        int kept = 0;
        for (int i = 0; i < s.size; i++) {
            if (!after(s.epochs[i], s.steps[i], epochCut, stepCut)) {
                move(s, i, kept++);
            }
        }
        s.size = kept;
        java.util.Arrays.fill(s.readings, null);
        s.restarts++;
        s.rebuildAll(); // (all = evicted + the window kept)
        s.trainSums.invalidate();
        s.valSums.invalidate();
        long keyCut = byEpoch ? epochCut : stepCut;
        int spikes = 0;
        for (int i = 0; i < s.spikesKept; i++) {
            if (s.spikes[i] <= keyCut) {
                s.spikes[spikes++] = s.spikes[i];
            }
        }
        s.spikeCount -= s.spikesKept - spikes;
        s.spikesKept = spikes;
        if (s.stopAdvice != null && s.stopAdvice.sinceX() > keyCut) {
            s.stopAdvice = null;
        }
        // the time-based hysteresis starts afresh; a plateau's clock can't count points dropped
        s.changes = 0;
        s.saidAtPoints = Math.min(s.saidAtPoints, s.points());
        s.finished = false; // a run that ended (crashed, preempted) and resumed is going again
        s.stalled = false;
    }

    /** A point after the checkpoint: a later epoch, or a later step. */
    static boolean after(long epoch, long step, long epochCut, long stepCut) {
        return epoch != Point.NONE && epoch > epochCut || step != Point.NONE && step > stepCut;
    }

    private static void move(RunState s, int from, int to) {
        if (from == to) {
            return;
        }
        s.epochs[to] = s.epochs[from];
        s.steps[to] = s.steps[from];
        s.train[to] = s.train[from];
        s.val[to] = s.val[from];
        s.valScore[to] = s.valScore[from];
        s.lr[to] = s.lr[from];
        s.flags[to] = s.flags[from];
    }
}
