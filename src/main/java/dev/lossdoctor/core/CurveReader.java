package dev.lossdoctor.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a run's curves the way a practitioner reads a loss plot (DESIGN.md section 1), in three
 * steps: {@link Measures} (the numbers of the window), {@link Rules} (the diagnosis they call for),
 * {@link Words} (what a person is told). Not thread-safe (it reuses working space): one per stream
 * thread.
 */
final class CurveReader {

    private final Aggregates all = new Aggregates();
    /**
     * The newest reading of the whole window and the state it was made of, at that state's {@link
     * RunState#version}: the diagnosis's words and the status of the same point read it again.
     */
    private RunState lastState;
    private long lastVersion;
    private RunConfig lastConfig;
    private Measures lastMeasures;
    private Finding lastFinding;

    /** The measures of the window of {@code s} up to index {@code end}. */
    Measures measure(RunState s, int end) {
        return Measures.of(s, end, all);
    }

    /** The measures of the whole window of {@code s} (size > 0), made again only when it changed since the last. */
    private Measures measureAll(RunState s) {
        Measures m = lastMeasures;
        if (s == lastState && s.version == lastVersion && m.to() == s.size && m.said() == s.current
                && m.saidSince() == s.sinceEpoch && s.config == lastConfig) {
            return m;
        }
        m = measure(s, s.size - 1);
        remember(s, m, null);
        return m;
    }

    /** The raw finding of {@link #measureAll}'s measures. */
    private Finding judgeAll(RunState s, Measures m) {
        if (m == lastMeasures && lastFinding != null) {
            return lastFinding;
        }
        Finding f = Rules.judge(m);
        remember(s, m, f);
        return f;
    }

    private void remember(RunState s, Measures m, Finding f) {
        lastState = s;
        lastVersion = s.version;
        lastConfig = s.config;
        lastMeasures = m;
        lastFinding = f;
    }

    /**
     * The raw reading at index {@code end}, which the hysteresis keeps. A spike whose time to recover
     * ends at this point and that is not read as diverging is noted in the state as evidence.
     */
    RawReading quick(RunState s, int end) {
        Measures m = measure(s, end);
        Finding f = Rules.judge(m);
        if (end == s.size - 1) {
            remember(s, m, f);
        }
        if (m.spike() != null && m.spike().justDecided(m.to()) && f.diagnosis() != Diagnosis.DIVERGING) {
            s.noteSpike(m.spike().key());
        }
        return RawReading.of(f);
    }

    Reading read(RunState s, int end) {
        if (end == s.size - 1) {
            Measures m = measureAll(s);
            return Words.of(m, judgeAll(s, m), s.config, Forecast.of(s, end, m.all(), s.config));
        }
        Measures m = measure(s, end);
        return Words.of(m, Rules.judge(m), s.config, Forecast.of(s, end, m.all(), s.config));
    }

    /**
     * The verdict at {@code run_finished}: what the whole curve says at its end (a function of the
     * points, whatever order they came in).
     */
    Reading verdict(RunState s) {
        if (s.size == 0) {
            return Reading.warmingUp(0);
        }
        Measures m = measure(s, s.size - 1);
        return Words.of(m, Rules.verdict(m, Rules.judge(m)), s.config, Forecast.of(s, s.size - 1, m.all(), s.config));
    }

    /** @param withCurve whether the status carries the window as its curve (the status topic's don't: no need to build it) */
    RunStatus status(RunState s, boolean withCurve) {
        List<RunStatus.CurvePoint> curve = withCurve ? new ArrayList<>(s.size) : List.of();
        for (int i = 0; withCurve && i < s.size; i++) {
            curve.add(new RunStatus.CurvePoint(s.epochs[i] == Point.NONE ? null : s.epochs[i],
                    s.steps[i] == Point.NONE ? null : s.steps[i], finite(s.train[i]), finite(s.val[i])));
        }
        Diagnosis d = s.current != null ? s.current : Diagnosis.WARMING_UP;
        if (s.size == 0) {
            Reading r = Reading.warmingUp(0);
            return new RunStatus(s.runId, d, null, null, null, null, null, null, null, null, null, r.summary(),
                    r.recommendations(), s.finished, s.points(), updated(s), curve, null, null, null, null, s.restarts);
        }
        Measures m = measureAll(s);
        Finding f = judgeAll(s, m);
        boolean curvesRead = (m.train().fit().n() >= 3 || m.val().fit().n() >= 3) && !m.all().nonFinite();
        if (f.diagnosis() != d && RunState.ofTheCurve(d) && curvesRead) {
            // the words are about what was said (the readings have not settled on anything new)
            f = f.as(d, Finding.Why.SAID).since(s.sinceEpoch);
            if (d == Diagnosis.OSCILLATING) {
                Measures.Jumps j = Measures.jumpsAnyway(s, m);
                double tAmp = j.train().n() >= 3 ? j.train().noise() / m.train().oscScale() : 0;
                double vAmp = j.val().n() >= 3 ? j.val().noise() / m.val().oscScale() : 0;
                f = f.withJumps(Math.max(tAmp, vAmp), Math.max(j.train().reversalRate(), j.val().reversalRate()));
            }
        }
        Forecast forecast = Forecast.of(s, s.size - 1, m.all(), s.config);
        Reading r = f.diagnosis() == d ? Words.of(m, f, s.config, forecast) : lastWords(s, m, f, d, forecast);
        int last = s.size - 1;
        Landmarks all = m.all();
        return new RunStatus(s.runId, d, s.sinceEpoch == Point.NONE ? null : s.sinceEpoch,
                s.epochs[last] == Point.NONE ? null : s.epochs[last], s.steps[last] == Point.NONE ? null : s.steps[last],
                finite(s.train[last]), finite(s.val[last]),
                m.hasTrain() ? m.train().trend().code() : null,
                m.hasVal() ? m.val().trend().code() : null,
                all.hasBestVal() ? all.bestValKey() : null,
                all.hasBestVal() ? (double) all.bestVal() : null,
                r.summary(), r.recommendations(), s.finished, s.points(), updated(s), curve, s.afterStopAdvice(), null,
                spikes(s), forecast, s.restarts);
    }

    /** The recovered spikes the state noted, or null when none. */
    private static RunStatus.Spikes spikes(RunState s) {
        if (s.spikeCount == 0) {
            return null;
        }
        List<Long> keys = new ArrayList<>(s.spikesKept);
        for (long k : s.spikeKeys()) {
            keys.add(k);
        }
        return new RunStatus.Spikes(s.spikeCount, List.copyOf(keys));
    }

    /** For a status whose diagnosis the curve does not show by itself: the state it is in, in words. */
    private static Reading lastWords(RunState s, Measures m, Finding f, Diagnosis d, Forecast forecast) {
        if (d == Diagnosis.WARMING_UP) {
            return Reading.warmingUp(m.points());
        }
        Reading now = Words.of(m, f, s.config, forecast);
        String unit = m.perStep() ? "step" : "epoch";
        String why = d == Diagnosis.STALLED
                ? "No metrics for a while from a run that has not finished (last at " + updated(s) + "). "
                : d == Diagnosis.MISCONFIGURED ? "The run's configuration has a problem (reported at its start). "
                : "Diagnosed " + d.code() + (s.sinceEpoch == Point.NONE ? "" : " since " + unit + " " + s.sinceEpoch) + ". ";
        return new Reading(d, s.sinceEpoch, now.confidence(), now.evidence(), why + now.summary(), now.recommendations());
    }

    private static Instant updated(RunState s) {
        return s.lastActivityMillis == 0 ? null : Instant.ofEpochMilli(s.lastActivityMillis);
    }

    private static Double finite(float v) {
        return Float.isFinite(v) ? (double) v : null;
    }
}
