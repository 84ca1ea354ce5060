package dev.lossdoctor.core;

import java.util.ArrayList;
import java.util.List;

/** Reads a run's curves the way a practitioner reads a loss plot. (First cut: to be filled in.) */
final class CurveReader {

    Diagnosis quick(RunState s, int end) {
        return read(s, end).diagnosis();
    }

    Reading read(RunState s, int end) {
        if (end + 1 + s.evictedCount < 5) {
            return Reading.warmingUp(end + 1 + s.evictedCount);
        }
        return new Reading(Diagnosis.LEARNING, Point.NONE, 0.5, java.util.Map.of(), "Still learning.", List.of("Keep training"));
    }

    Reading verdict(RunState s) {
        return read(s, s.size - 1);
    }

    RunStatus status(RunState s) {
        List<RunStatus.CurvePoint> curve = new ArrayList<>(s.size);
        for (int i = 0; i < s.size; i++) {
            Point p = s.point(i);
            curve.add(new RunStatus.CurvePoint(p.epoch() == Point.NONE ? null : p.epoch(), p.step() == Point.NONE ? null : p.step(),
                    p.hasTrain() && Float.isFinite(p.train()) ? (double) p.train() : null,
                    p.hasVal() && Float.isFinite(p.val()) ? (double) p.val() : null));
        }
        Reading r = s.size == 0 ? Reading.warmingUp(0) : read(s, s.size - 1);
        Point last = s.size == 0 ? null : s.point(s.size - 1);
        Diagnosis d = s.current != null ? s.current : Diagnosis.WARMING_UP;
        return new RunStatus(s.runId, d, s.sinceEpoch == Point.NONE ? null : s.sinceEpoch,
                last == null || last.epoch() == Point.NONE ? null : last.epoch(),
                last == null || last.step() == Point.NONE ? null : last.step(),
                last == null || !last.hasTrain() ? null : (double) last.train(),
                last == null || !last.hasVal() ? null : (double) last.val(),
                null, null, null, null, r.summary(), r.recommendations(), s.finished, s.points(),
                java.time.Instant.ofEpochMilli(s.lastActivityMillis), curve);
    }
}
