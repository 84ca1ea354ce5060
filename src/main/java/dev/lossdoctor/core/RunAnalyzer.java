package dev.lossdoctor.core;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies a run's events to its {@link RunState} and says when its diagnosis changes. The same
 * code serves the stream processor and the {@code analyze} command. Pure: no clock, no I/O; time
 * comes from the events.
 */
public final class RunAnalyzer {

    private final CurveReader reader = new CurveReader();

    /**
     * Applies one event to the run's state and returns the diagnosis events it causes: usually
     * none, one when the diagnosis changes, sometimes two (a misconfiguration reported at start).
     */
    public List<DiagnosisEvent> apply(RunState state, TrainingEvent event) {
        if (event.timestamp() != null) { // offline files may carry no time
            state.lastActivityMillis = Math.max(state.lastActivityMillis, millis(event.timestamp()));
        }
        if (event instanceof RunStarted started) {
            return onStarted(state, started);
        } else if (event instanceof MetricsReported metrics) {
            return onMetrics(state, metrics);
        } else {
            return onFinished(state, (RunFinished) event);
        }
    }

    private List<DiagnosisEvent> onStarted(RunState state, RunStarted started) {
        if (started.resumed()) {
            resume(state, started);
        }
        if (state.configSeen) {
            return List.of(); // a replayed run_started changes nothing (a resume, what it dropped: the diagnosis stands)
        }
        state.configSeen = true;
        state.config = started.config() == null ? RunConfig.EMPTY : started.config().clipped(RunConfig.MAX_CHARS);
        state.encodedHead = null;
        List<String> problems = ConfigCheck.problems(state.config);
        if (problems.isEmpty()) {
            return state.current == null
                    ? List.of(emit(state, Reading.warmingUp(0), null, null, started.timestamp()))
                    : List.of();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("config_problems", problems);
        Reading misconfigured = new Reading(Diagnosis.MISCONFIGURED, Point.NONE, 0.9, evidence,
                "The run's configuration has " + (problems.size() == 1 ? "a problem" : problems.size() + " problems")
                        + ": " + String.join("; ", problems) + ".",
                ConfigCheck.fixes(state.config));
        return List.of(emit(state, misconfigured, null, null, started.timestamp()));
    }

    /**
     * A run resumed from a checkpoint ({@link Restart}): its points after it dropped, its config the
     * resume's when it gives one (a lower rate, say).
     */
    private static void resume(RunState state, RunStarted started) {
        Restart.apply(state, started.resumedFromEpoch(), started.resumedFromStep());
        if (state.configSeen && started.config() != null && !started.config().equals(RunConfig.EMPTY)) {
            state.config = started.config().clipped(RunConfig.MAX_CHARS);
            state.encodedHead = null;
        }
    }

    private List<DiagnosisEvent> onMetrics(RunState state, MetricsReported m) {
        Point p = Points.from(m);
        if (p == null) {
            return List.of(); // no loss in it: nothing to read
        }
        state.stalled = false;
        int pos = state.insert(p);
        if (pos == RunState.DUPLICATE) {
            return List.of();
        }
        // the raw readings of the last few prefixes, which the hysteresis looks at: a point in
        // order adds the newest; a late one can change them all, so they are all read again
        // (that is what makes the diagnosis a function of the set of points, not of their order)
        int first;
        if (pos == state.size - 1) {
            System.arraycopy(state.readings, 1, state.readings, 0, RunState.READINGS - 1);
            first = pos;
        } else {
            java.util.Arrays.fill(state.readings, null);
            first = Math.max(0, state.size - RunState.READINGS);
        }
        for (int end = first; end < state.size; end++) {
            state.readings[RunState.READINGS - (state.size - end)] = reader.quick(state, end);
        }
        if (state.finished) {
            return List.of(); // a late point after the verdict: the verdict stands
        }
        Diagnosis settled = Hysteresis.settle(state.readings, state.current, state.dwelling());
        if (settled == null || settled == state.current) {
            notePlateauThatLasted(state);
            return List.of();
        }
        Reading reading = reader.read(state, state.size - 1);
        if (reading.diagnosis() != settled) {
            return List.of(); // the newest reading is a hold that means the settled one: nothing new to say
        }
        Point last = state.point(state.size - 1);
        return List.of(emit(state, reading, last.epoch(), last.step(), m.timestamp()));
    }

    private List<DiagnosisEvent> onFinished(RunState state, RunFinished finished) {
        if (state.finished) {
            return List.of();
        }
        state.finished = true;
        Reading verdict = reader.verdict(state);
        if (verdict.diagnosis() == state.current) {
            return List.of();
        }
        Long epoch = finished.epoch();
        Long step = null;
        if (state.size > 0) {
            Point last = state.point(state.size - 1);
            epoch = epoch != null ? epoch : (last.epoch() == Point.NONE ? null : last.epoch());
            step = last.step() == Point.NONE ? null : last.step();
        }
        return List.of(emit(state, verdict, epoch, step, finished.timestamp()));
    }

    /**
     * Marks a run {@code stalled} when it has not finished and nothing arrived for longer than
     * {@code stallAfter} before {@code now} (the stream's wall-clock punctuator gives {@code now}).
     */
    public Optional<DiagnosisEvent> checkStalled(RunState state, Instant now, Duration stallAfter) {
        if (state.finished || state.stalled || state.lastActivityMillis == 0) {
            return Optional.empty();
        }
        long silentMillis = millis(now) - state.lastActivityMillis;
        if (silentMillis <= stallAfter.toMillis()) {
            return Optional.empty();
        }
        state.stalled = true;
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("silent_seconds", silentMillis / 1000);
        evidence.put("last_activity", Instant.ofEpochMilli(state.lastActivityMillis).toString());
        Long epoch = null, step = null;
        if (state.size > 0) {
            Point last = state.point(state.size - 1);
            epoch = last.epoch() == Point.NONE ? null : last.epoch();
            step = last.step() == Point.NONE ? null : last.step();
        }
        Reading reading = new Reading(Diagnosis.STALLED, epoch == null ? Point.NONE : epoch, 0.9, evidence,
                "No metrics for " + Text.duration(silentMillis) + " (since " + Instant.ofEpochMilli(state.lastActivityMillis)
                        + ") and the run has not finished.",
                List.of("Check whether the training job is still alive (crashed, preempted, or hung on I/O)",
                        "Check that the trainer can still reach Kafka"));
        return Optional.of(emit(state, reading, epoch, step, now));
    }

    /** Milliseconds since the epoch, held to what a long holds (an Instant reaches further: a year of a billion). */
    private static long millis(Instant t) {
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException e) {
            return t.isBefore(Instant.EPOCH) ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2; // room left for differences
        }
    }

    /** The run's full status: diagnosis, latest losses and trends, summary and advice, the recent curve. */
    public RunStatus status(RunState state) {
        return reader.status(state, true);
    }

    /** {@link #status} without its curve ({@link RunStatus#withoutCurve}), for the status topic: the curve is not built at all. */
    public RunStatus statusWithoutCurve(RunState state) {
        return reader.status(state, false);
    }

    /**
     * The run's status without reading the curves again: diagnosis, latest point and losses, no
     * trends, summary, advice or curve. Cheap enough for every record (metrics gauges).
     */
    public RunStatus brief(RunState state) {
        Diagnosis d = state.current != null ? state.current : Diagnosis.WARMING_UP;
        Long epoch = null, step = null;
        Double train = null, val = null;
        if (state.size > 0) {
            Point last = state.point(state.size - 1);
            epoch = last.epoch() == Point.NONE ? null : last.epoch();
            step = last.step() == Point.NONE ? null : last.step();
            train = last.hasTrain() && Float.isFinite(last.train()) ? (double) last.train() : null;
            val = last.hasVal() && Float.isFinite(last.val()) ? (double) last.val() : null;
        }
        return new RunStatus(state.runId, d, state.sinceEpoch == Point.NONE ? null : state.sinceEpoch, epoch, step, train, val,
                null, null, null, null, null, List.of(), state.finished, state.points(),
                state.lastActivityMillis == 0 ? null : Instant.ofEpochMilli(state.lastActivityMillis), List.of(),
                state.afterStopAdvice(), null, null, null, state.restarts);
    }

    /** The advice of the run at {@link #markSpent} (null: none), and the run's newest x and event time then. */
    private StopAdvice markedAdvice;
    private long markedX;
    private long markedMillis;

    /** Notes where the run stands for its after-stop-advice figures before an update: see {@link #spentSinceMark}. */
    public void markSpent(RunState state) {
        markedAdvice = state.size == 0 ? null : state.stopAdvice;
        if (markedAdvice != null) {
            markedX = lastX(state);
            markedMillis = state.lastActivityMillis;
        }
    }

    /**
     * What the run spent after the advice to stop since {@link #markSpent}, or null when that is
     * nothing: {@link StopAdvice.Spent#growth} of its {@link RunState#afterStopAdvice} then and now,
     * without building the two (each a point and a figure, per event) for the usual answer, nothing.
     */
    public StopAdvice.Spent spentSinceMark(RunState state) {
        StopAdvice a = state.stopAdvice;
        if (a == null || state.size == 0) {
            return null;
        }
        long epochs = Math.max(0, lastX(state) - a.sinceX());
        boolean timed = a.atMillis() != 0 && state.lastActivityMillis != 0;
        long seconds = timed ? Math.max(0, state.lastActivityMillis - a.atMillis()) / 1000 : 0;
        StopAdvice before = markedAdvice;
        if (before == null) {
            return epochs > 0 || seconds > 0 ? new StopAdvice.Spent(a.diagnosis(), a.sinceX(), epochs, timed ? seconds : null) : null;
        }
        long epochsBefore = Math.max(0, markedX - before.sinceX());
        long secondsBefore = before.atMillis() != 0 && markedMillis != 0 ? Math.max(0, markedMillis - before.atMillis()) / 1000 : 0;
        long moreEpochs = epochs - epochsBefore;
        long moreSeconds = timed ? seconds - secondsBefore : 0;
        return moreEpochs > 0 || moreSeconds > 0 ? new StopAdvice.Spent(a.diagnosis(), a.sinceX(), moreEpochs, moreSeconds) : null;
    }

    private static long lastX(RunState state) {
        int last = state.size - 1;
        return state.epochs[last] != Point.NONE ? state.epochs[last] : state.steps[last];
    }

    /**
     * A plateau that has stood {@link StopAdvice#PLATEAU_LASTED_POINTS} points is advice to stop (or
     * to lower the rate) that the run has not taken: from here on its training counts as spent after it.
     */
    private static void notePlateauThatLasted(RunState state) {
        if (state.stopAdvice == null && state.current == Diagnosis.PLATEAU
                && state.points() - state.saidAtPoints >= StopAdvice.PLATEAU_LASTED_POINTS) {
            state.stopAdvice = new StopAdvice(Diagnosis.PLATEAU, state.point(state.size - 1).x(), state.lastActivityMillis);
        }
    }

    /**
     * The run's own diagnosis said again, as an event that follows {@code previous} (a {@code lagging}
     * shown over it that ended): the words of its status, the numbers of its newest reading.
     */
    public DiagnosisEvent restate(RunState state, Diagnosis previous, Instant timestamp) {
        RunStatus s = reader.status(state, false);
        Reading r = state.size == 0 ? Reading.warmingUp(0) : reader.read(state, state.size - 1);
        boolean same = r.diagnosis() == s.diagnosis();
        Long since = s.sinceEpoch() != null ? s.sinceEpoch() : s.epoch() != null ? s.epoch() : s.step();
        return new DiagnosisEvent(state.runId, s.epoch(), s.step(), s.diagnosis(), previous, since, same ? r.confidence() : 0.5,
                s.summary(), List.copyOf(s.recommendations()), same ? r.evidence() : Map.of(), timestamp);
    }

    /** The lagging event of a run that is not lagging yet, at its newest point. */
    public DiagnosisEvent lagging(RunState state, Siblings siblings, Instant timestamp) {
        Point last = state.point(state.size - 1);
        Reading r = SweepWords.lagging(siblings, last.x(), state.config.maxEpochs());
        Diagnosis previous = state.current;
        Long epoch = last.epoch() == Point.NONE ? null : last.epoch();
        Long step = last.step() == Point.NONE ? null : last.step();
        return new DiagnosisEvent(state.runId, epoch, step, Diagnosis.LAGGING, previous, last.x(), r.confidence(), r.summary(),
                r.recommendations(), r.evidence(), timestamp);
    }

    private static DiagnosisEvent emit(RunState state, Reading r, Long epoch, Long step, Instant timestamp) {
        Diagnosis previous = state.current;
        state.current = r.diagnosis();
        state.sinceEpoch = r.since();
        state.saidAtPoints = state.points();
        if (RunState.ofTheCurve(r.diagnosis())) {
            state.changes++;
        }
        Long at = epoch == null || epoch == Point.NONE ? null : epoch; // a step-only run has no epoch
        Long atStep = step == null || step == Point.NONE ? null : step;
        if (state.stopAdvice == null && StopAdvice.advisesStop(r.diagnosis()) && (at != null || atStep != null)) {
            // the first advice to stop is kept whatever is said later: what came after it is its cost
            state.stopAdvice = new StopAdvice(r.diagnosis(), at != null ? at : atStep,
                    timestamp == null ? 0 : millis(timestamp));
        }
        Long since = r.since() == Point.NONE ? (at != null ? at : atStep) : Long.valueOf(r.since());
        return new DiagnosisEvent(state.runId, at, atStep, r.diagnosis(), previous, since, r.confidence(), r.summary(),
                List.copyOf(r.recommendations()), r.evidence(), timestamp);
    }

}
