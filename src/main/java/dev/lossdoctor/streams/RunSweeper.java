package dev.lossdoctor.streams;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.streams.AnalysisMetrics.Release;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.processor.Punctuator;

/**
 * The wall-clock punctuator: marks runs that went silent {@code stalled}, and evicts finished runs
 * after a grace and unfinished runs idle for too long, so the store holds the live runs only. An
 * evicted run's last status stays in the compacted status topic.
 */
final class RunSweeper implements Punctuator {

    private final HeldRuns runs;
    private final RunAnalyzer analyzer;
    private final Publisher outputs;
    private final Duration stallAfter;
    private final long finishedGraceMillis;
    private final long idleAfterMillis;

    /** Publishes what a run's update caused, as the run shows it (a run of a sweep: with its lagging overlay). */
    interface Publisher {
        void publish(RunState state, Diagnosis previous, List<DiagnosisEvent> events, long timestamp);
    }

    RunSweeper(HeldRuns runs, RunAnalyzer analyzer, Publisher outputs, TopologyConfig config) {
        this.runs = runs;
        this.analyzer = analyzer;
        this.outputs = outputs;
        this.stallAfter = config.stallAfter();
        this.finishedGraceMillis = config.finishedGrace().toMillis();
        this.idleAfterMillis = config.idleAfter().toMillis();
    }

    @Override
    public void punctuate(long now) {
        List<String> silent = new ArrayList<>();
        for (Map.Entry<String, HeldRuns.Summary> e : runs.summaries().entrySet()) {
            HeldRuns.Summary run = e.getValue();
            long silentMillis = now - run.lastActivityMillis();
            if (run.finished() && silentMillis >= finishedGraceMillis) {
                runs.evict(e.getKey(), Release.FINISHED);
            } else if (!run.finished() && silentMillis >= idleAfterMillis) {
                runs.evict(e.getKey(), Release.IDLE);
            } else if (!run.finished() && run.current() != Diagnosis.STALLED && silentMillis > stallAfter.toMillis()) {
                silent.add(e.getKey());
            }
        }
        silent.sort(null); // outputs in a stable order
        for (String runId : silent) {
            RunState state = runs.get(runId);
            if (state == null) {
                continue;
            }
            Diagnosis previous = runs.shown(runId);
            RunState fallback = runs.fallback(state);
            Optional<DiagnosisEvent> stalled;
            try {
                stalled = analyzer.checkStalled(state, Instant.ofEpochMilli(now), stallAfter);
            } catch (RuntimeException e) {
                runs.restore(runId, fallback);
                throw e;
            }
            if (stalled.isPresent()) {
                runs.put(state);
                outputs.publish(state, previous, List.of(stalled.get()), now);
            }
        }
    }
}
