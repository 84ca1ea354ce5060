package dev.lossdoctor.core;

import java.util.List;

/**
 * The first time Loss Doctor advised a run to stop (DESIGN.md section 4, {@code after_stop_advice}):
 * what the run trained after it is the cost of advice not taken, the figure a platform team adds
 * up over its runs. Kept once per run, whatever was said afterwards: a run that was told to stop
 * at epoch 12 and trained on to 50 spent 38 epochs after the advice, even if it later improved.
 *
 * @param diagnosis the diagnosis that advised stopping
 * @param sinceX    the epoch of the point it was said at (the step, for a run reporting steps only)
 * @param atMillis  the event time it was said at; 0 when the run's events carry no time
 */
public record StopAdvice(Diagnosis diagnosis, long sinceX, long atMillis) {

    /**
     * A plateau advises stopping (or lowering the rate) once it has stood this many points: a short
     * flat stretch is often just noise or a step decay about to come, not advice anyone should act on.
     */
    static final int PLATEAU_LASTED_POINTS = 5;

    /** Every diagnosis that can advise stopping: the labels of the after-stop-advice figures. */
    public static final List<Diagnosis> ADVISED_BY = List.of(Diagnosis.DIVERGING, Diagnosis.OVERFITTING, Diagnosis.CONVERGED,
            Diagnosis.PLATEAU);

    /**
     * Diagnoses whose advice is to stop the run as soon as they are said: it will not get better
     * by training on (a plateau only once it lasted).
     */
    static boolean advisesStop(Diagnosis d) {
        return d != Diagnosis.PLATEAU && ADVISED_BY.contains(d);
    }

    /**
     * What the run spent after the advice, up to its newest point ({@code lastX}) and its newest
     * event time ({@code lastMillis}, 0 when unknown).
     */
    Spent spent(long lastX, long lastMillis) {
        Long seconds = atMillis == 0 || lastMillis == 0 ? null : Math.max(0, lastMillis - atMillis) / 1000;
        return new Spent(diagnosis, sinceX, Math.max(0, lastX - sinceX), seconds);
    }

    /**
     * The status's {@code after_stop_advice}: {@code epochs} (steps, for a run that reports steps only)
     * and {@code seconds} of training after the run was first advised to stop, since {@code sinceEpoch},
     * by {@code diagnosis}. {@code seconds} is null when the run's events carry no time.
     */
    public record Spent(Diagnosis diagnosis, long sinceEpoch, long epochs, Long seconds) {

        /** What a run spent between two of its statuses ({@code before} may be null): for counters. */
        public static Spent growth(Spent before, Spent after) {
            if (after == null) {
                return null;
            }
            if (before == null) {
                return after;
            }
            long seconds = after.seconds() == null ? 0 : after.seconds() - (before.seconds() == null ? 0 : before.seconds());
            return new Spent(after.diagnosis(), after.sinceEpoch(), after.epochs() - before.epochs(), seconds);
        }
    }
}
