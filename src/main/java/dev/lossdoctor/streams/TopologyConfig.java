package dev.lossdoctor.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * What the topology needs to know: its topics, when runs count as stalled or are evicted, the cap
 * on live runs, and where its metrics go.
 *
 * @param stallAfter an unfinished run with no event for this long is marked {@code stalled}
 * @param finishedGrace a finished run is evicted this long after its last event
 * @param idleAfter an unfinished run with no event for this long is evicted
 * @param sweepInterval how often (wall clock) the sweeper looks for stalled and evictable runs
 * @param maxLiveRuns the most runs one instance holds; past it the idlest are evicted
 */
public record TopologyConfig(
        Topics topics,
        Duration stallAfter,
        Duration finishedGrace,
        Duration idleAfter,
        Duration sweepInterval,
        int maxLiveRuns,
        AnalysisMetrics metrics) {

    public static final Duration DEFAULT_STALL_AFTER = Duration.ofMinutes(30);
    public static final Duration DEFAULT_FINISHED_GRACE = Duration.ofMinutes(10);
    public static final Duration DEFAULT_IDLE_AFTER = Duration.ofHours(24);
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_MAX_LIVE_RUNS = 100_000;

    public TopologyConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(metrics, "metrics");
        requirePositive("stallAfter", stallAfter);
        requirePositive("finishedGrace", finishedGrace);
        requirePositive("idleAfter", idleAfter);
        requirePositive("sweepInterval", sweepInterval);
        if (maxLiveRuns < 1) {
            throw new IllegalArgumentException("maxLiveRuns must be at least 1, not " + maxLiveRuns);
        }
    }

    public static TopologyConfig defaults() {
        return new TopologyConfig(Topics.defaults(), DEFAULT_STALL_AFTER, DEFAULT_FINISHED_GRACE, DEFAULT_IDLE_AFTER,
                DEFAULT_SWEEP_INTERVAL, DEFAULT_MAX_LIVE_RUNS, AnalysisMetrics.NONE);
    }

    public TopologyConfig withTopics(Topics t) {
        return new TopologyConfig(t, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, metrics);
    }

    public TopologyConfig withMaxLiveRuns(int max) {
        return new TopologyConfig(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, max, metrics);
    }

    public TopologyConfig withMetrics(AnalysisMetrics m) {
        return new TopologyConfig(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, m);
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + d);
        }
    }
}
