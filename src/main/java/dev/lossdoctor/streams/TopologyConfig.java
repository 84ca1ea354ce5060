package dev.lossdoctor.streams;

import dev.lossdoctor.core.SweepRule;
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
 * @param stateStore where the runs' states live (each way backed by its changelog topic)
 * @param cloudEvents the CloudEvents headers put on published records ({@link CloudEventsHeaders#OFF}: none)
 * @param sweepRule when a run of a sweep is {@code lagging} (its percentile is {@code sweep.percentile})
 */
public record TopologyConfig(
        Topics topics,
        Duration stallAfter,
        Duration finishedGrace,
        Duration idleAfter,
        Duration sweepInterval,
        int maxLiveRuns,
        StateStore stateStore,
        AnalysisMetrics metrics,
        CloudEventsHeaders cloudEvents,
        SweepRule sweepRule) {

    /** Where the runs' states live. */
    public enum StateStore {
        /** RocksDB on local disk: little heap, and a restart keeps what it has (only the changelog's tail is read back). */
        ROCKSDB,
        /**
         * The heap (bytes of the encoded states): no disk reads, so many live runs cost little more
         * than a few; a restart reads the whole changelog back. About 1.1 KB of heap per run with a
         * full window, so {@code max.live.runs} bounds it.
         */
        MEMORY
    }

    public static final Duration DEFAULT_STALL_AFTER = Duration.ofMinutes(30);
    public static final Duration DEFAULT_FINISHED_GRACE = Duration.ofMinutes(10);
    public static final Duration DEFAULT_IDLE_AFTER = Duration.ofHours(24);
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_MAX_LIVE_RUNS = 100_000;

    /** Without CloudEvents headers (the default). */
    public TopologyConfig(Topics topics, Duration stallAfter, Duration finishedGrace, Duration idleAfter, Duration sweepInterval,
                          int maxLiveRuns, StateStore stateStore, AnalysisMetrics metrics) {
        this(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, stateStore, metrics, CloudEventsHeaders.OFF);
    }

    /** With the default sweep rule. */
    public TopologyConfig(Topics topics, Duration stallAfter, Duration finishedGrace, Duration idleAfter, Duration sweepInterval,
                          int maxLiveRuns, StateStore stateStore, AnalysisMetrics metrics, CloudEventsHeaders cloudEvents) {
        this(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, stateStore, metrics, cloudEvents,
                SweepRule.DEFAULT);
    }

    public TopologyConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(cloudEvents, "cloudEvents");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(stateStore, "stateStore");
        Objects.requireNonNull(sweepRule, "sweepRule");
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
                DEFAULT_SWEEP_INTERVAL, DEFAULT_MAX_LIVE_RUNS, StateStore.ROCKSDB, AnalysisMetrics.NONE);
    }

    public TopologyConfig withTopics(Topics t) {
        return new TopologyConfig(t, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, stateStore, metrics,
                cloudEvents, sweepRule);
    }

    public TopologyConfig withMaxLiveRuns(int max) {
        return new TopologyConfig(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, max, stateStore, metrics,
                cloudEvents, sweepRule);
    }

    public TopologyConfig withMetrics(AnalysisMetrics m) {
        return new TopologyConfig(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, stateStore, m,
                cloudEvents, sweepRule);
    }

    public TopologyConfig withStateStore(StateStore store) {
        return new TopologyConfig(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, store, metrics,
                cloudEvents, sweepRule);
    }

    public TopologyConfig withSweepRule(SweepRule rule) {
        return new TopologyConfig(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, stateStore, metrics,
                cloudEvents, rule);
    }

    public TopologyConfig withCloudEvents(CloudEventsHeaders headers) {
        return new TopologyConfig(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, stateStore, metrics,
                headers, sweepRule);
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + d);
        }
    }
}
