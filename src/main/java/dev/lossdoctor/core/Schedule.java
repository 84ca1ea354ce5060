package dev.lossdoctor.core;

/**
 * What the learning rate a run reports says about its curve (DESIGN.md section 1: schedules). A run
 * that reports no rate has {@link #NONE}, and is read as before. An immutable value, part of the
 * {@link Measures}.
 *
 * @param lastLr     the rate last reported in the view (NaN: none)
 * @param maxLr      the highest rate the run ever reported (NaN: none)
 * @param bestLr     the rate reported where training was best (NaN: none)
 * @param warmingUp  the rate is still rising (a warm-up): at least {@link #WARMUP_RISE} times the
 *                   rate at the start of the long stretch, and not above the config's rate (the peak
 *                   a scheduler warms up to)
 * @param end        the rate has decayed to ~0 ({@link #END_SHARE} of the highest), and only late:
 *                   for at most {@link #END_LATE_SHARE} of the run, with the decay in the view
 */
record Schedule(float lastLr, float maxLr, float bestLr, boolean warmingUp, boolean end) {

    static final Schedule NONE = new Schedule(Float.NaN, Float.NaN, Float.NaN, false, false);

    /** A rate at or below this share of the highest one reported is the end of a decaying schedule (~0). */
    static final double END_SHARE = 0.05;
    /** "Late": ~0 for at most this share of the run (a rate cut to ~0 early is a stuck run: a plateau). */
    static final double END_LATE_SHARE = 0.35;
    /** Warm-up: the rate at the end of the long stretch at least this many times the rate at its start. */
    static final double WARMUP_RISE = 1.5;
    /** The rate raised this many times since the training best: the rate that blew the run up is still on. */
    static final double RAISED = 10;

    /**
     * The schedule read over the view {@code [from, to)} of {@code s}, the long stretch starting at
     * {@code trendFrom}; {@code all} the aggregates of the run up to {@code to}.
     */
    static Schedule of(RunState s, int from, int trendFrom, int to, long points, Aggregates all) {
        if (!(all.maxLr > 0)) {
            return NONE;
        }
        float first = Float.NaN, last = Float.NaN;
        int lastAt = -1;
        for (int i = trendFrom; i < to; i++) {
            if ((s.flags[i] & Point.HAS_LR) != 0) {
                first = Float.isNaN(first) ? s.lr[i] : first;
                last = s.lr[i];
                lastAt = i;
            }
        }
        if (lastAt < 0) {
            return new Schedule(Float.NaN, all.maxLr, all.bestTrainLr, false, false);
        }
        // (a rate rising past the config's own rate is no warm-up: it is the rate running away)
        boolean warmingUp = last > 0 && last >= WARMUP_RISE * first && (s.config.lr() == null || last <= s.config.lr() * 1.001);
        boolean end = false;
        double endRate = END_SHARE * all.maxLr;
        if (last <= endRate) {
            int i = lastAt;
            while (i > from && ((s.flags[i - 1] & Point.HAS_LR) == 0 || s.lr[i - 1] <= endRate)) {
                i--;
            }
            // the decay is in sight (a rate above ~0 earlier in the view) and ~0 only lately
            end = i > from && (to - i) <= END_LATE_SHARE * points;
        }
        return new Schedule(last, all.maxLr, all.bestTrainLr, warmingUp, end);
    }

    boolean reported() {
        return maxLr > 0;
    }

    /** The rate now is many times the rate the run had at its training best: a rate jump, still in force. */
    boolean raisedSinceBest() {
        return bestLr > 0 && lastLr >= RAISED * bestLr;
    }

    /**
     * The learning rate advice is about: the rate last reported (for diverging, the highest, the one
     * that blew the run up), else the config's; null when none is known or it is 0 (a warm-up's
     * first rate of 0 says nothing about the rate to change: never "0 instead of 0").
     */
    Double adviceLr(RunConfig c, boolean highest) {
        double lr = highest && maxLr > 0 ? maxLr : lastLr > 0 ? lastLr : maxLr > 0 ? maxLr
                : c.lr() != null ? c.lr() : Double.NaN;
        return lr > 0 ? lr : null;
    }
}
