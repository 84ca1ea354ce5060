package dev.lossdoctor.publish;

import dev.lossdoctor.core.TrainingEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * When each event of a replay goes out, relative to the start of the replay.
 *
 * <p>Unpaced (no speed), every event is due at once and they go out in file order. Paced at
 * {@code speed} X, each run starts at the start of the replay and keeps the pace of its own
 * timestamps, X times faster: an event stamped 10 minutes after its run's first timestamp goes out
 * 10/X minutes in. Runs are aligned on their own start, not on the calendar, so logs of last week
 * and of last month replay side by side, as live runs would. An event without a timestamp (a Keras
 * CSV row) goes out right after the event before it in its run; a run without any timestamps goes
 * out at once. A timestamp earlier than the run's latest one (a resumed run's clock, a skewed host)
 * waits for nothing. Within a run the order of the files is always kept.
 */
public final class Pacing {

    /** An event and when it is due, in nanoseconds after the start of the replay. */
    public record Timed(long dueNanos, TrainingEvent event) {
    }

    /** No offset can be further than this (about 146 years): offsets stay far from overflowing when added to a start. */
    private static final double MAX_NANOS = Long.MAX_VALUE / 2.0;

    private Pacing() {
    }

    /**
     * The events in the order they go out, each with its due time.
     *
     * @param speed how many times faster than the timestamps; null: as fast as possible (all due at 0)
     */
    public static List<Timed> schedule(List<TrainingEvent> events, Double speed) {
        if (speed != null && (!(speed > 0) || speed.isInfinite())) {
            throw new IllegalArgumentException("speed must be a positive number, not " + speed);
        }
        List<Timed> timed = new ArrayList<>(events.size());
        Map<String, RunClock> clocks = new HashMap<>();
        for (TrainingEvent e : events) {
            long due = speed == null ? 0 : clocks.computeIfAbsent(e.runId(), k -> new RunClock()).due(e.timestamp(), speed);
            timed.add(new Timed(due, e));
        }
        // stable: events due at the same time keep their file order, so a run's order is kept
        timed.sort((a, b) -> Long.compare(a.dueNanos(), b.dueNanos()));
        return timed;
    }

    /**
     * Sends the scheduled events through {@code publisher}, each at its due time after now, until
     * the end or until {@code stop} says so (checked at least every 100 ms).
     *
     * @return how many events were handed to the producer
     */
    public static long replay(List<Timed> schedule, EventPublisher publisher, BooleanSupplier stop) {
        long start = System.nanoTime();
        long n = 0;
        for (Timed t : schedule) {
            for (long wait = t.dueNanos() - (System.nanoTime() - start); wait > 0; wait = t.dueNanos() - (System.nanoTime() - start)) {
                if (stop.getAsBoolean()) {
                    return n;
                }
                LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            if (stop.getAsBoolean()) {
                return n;
            }
            publisher.send(t.event(), null);
            n++;
        }
        return n;
    }

    /** The runs, in order of appearance, none of whose events has a timestamp (they can't be paced). */
    public static Set<String> runsWithoutTimestamps(List<TrainingEvent> events) {
        Set<String> without = new LinkedHashSet<>();
        Set<String> with = new java.util.HashSet<>();
        for (TrainingEvent e : events) {
            if (e.timestamp() != null) {
                with.add(e.runId());
            }
            without.add(e.runId());
        }
        without.removeAll(with);
        return without;
    }

    /** One run's replay clock: its first timestamp and the due time of its latest event. */
    private static final class RunClock {
        private Instant first;
        private long last;

        long due(Instant timestamp, double speed) {
            if (timestamp == null) {
                return last;
            }
            if (first == null) {
                first = timestamp;
                return last;
            }
            Duration since = Duration.between(first, timestamp);
            double nanos = (since.getSeconds() * 1e9 + since.getNano()) / speed;
            last = Math.max(last, (long) Math.min(nanos, MAX_NANOS));
            return last;
        }
    }
}
