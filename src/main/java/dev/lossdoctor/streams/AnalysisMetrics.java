package dev.lossdoctor.streams;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunStatus;

/**
 * What the topology tells the metrics, and all it tells them. The service implements it with
 * Micrometer meters ({@code dev.lossdoctor.service.DiagnosisMeters}); tests pass their own or
 * {@link #NONE}. Implementations must be thread-safe: every stream thread calls the same one.
 *
 * <p>A run is <em>held</em> while its state is in this instance's store. A held run with no
 * diagnosis yet counts as {@code warming_up}, as its status says.
 */
public interface AnalysisMetrics {

    AnalysisMetrics NONE = new AnalysisMetrics() {
        @Override
        public boolean followsRuns() {
            return false;
        }
    };

    /** Why a run stopped being held. */
    enum Release {
        /** finished, and the grace after it passed */
        FINISHED,
        /** no event for longer than the idle limit */
        IDLE,
        /** the idlest run, evicted to stay within the live-run cap */
        CAPACITY,
        /** its task moved to another instance, or this one is closing: not an eviction */
        REASSIGNED
    }

    /** An input record was parsed into an event. */
    default void accepted() {
    }

    /** An input record was sent to the dead-letter topic. */
    default void rejected(String reason) {
    }

    /** A record with this timestamp was processed by the analyzer. */
    default void processed(long recordTimestampMillis) {
    }

    /** A diagnosis event was emitted. */
    default void diagnosed(DiagnosisEvent event) {
    }

    /** This instance holds the run, found in the store when its task started. */
    default void runHeld(String runId, Diagnosis current) {
    }

    /**
     * Whether {@link #runUpdated} is wanted: when not, no status is built for it on every record
     * (only {@link #NONE} says no).
     */
    default boolean followsRuns() {
        return true;
    }

    /**
     * A run's status changed; {@code previous} is the diagnosis it had before, or null when the run
     * is new to this instance (it is held from now on).
     */
    default void runUpdated(RunStatus status, Diagnosis previous) {
    }

    /**
     * The run's full status was read (at a diagnosis change, every few points, at its end): its
     * trends, which the brief status of {@link #runUpdated} does not carry.
     */
    default void runRead(RunStatus status) {
    }

    /**
     * A run trained on after it was advised to stop: {@code epochs} more epochs (steps, for a run
     * reporting steps only) and {@code seconds} more seconds of event time since its last record,
     * charged to the diagnosis that first advised it ({@code after_stop_advice}).
     */
    default void spentAfterStopAdvice(Diagnosis advisedBy, long epochs, long seconds) {
    }

    /** This instance no longer holds the run; {@code current} is its last diagnosis. */
    default void runReleased(String runId, Diagnosis current, Release why) {
    }
}
