package dev.lossdoctor.streams;

import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Where a sweep's verdict on a run comes back to the run's task (keyed by run id). It hands the
 * verdict to the task's {@link RunAnalyzerProcessor}, which holds the run's state and overlay:
 * both processors share the run stores, so they sit in the same task, and the run processor's
 * cache of decoded runs stays the one copy. (The verdict can't enter the run processor itself:
 * the DSL graph that builds the repartition topics can't hold the cycle.)
 */
final class SiblingVerdictProcessor extends ContextualProcessor<String, SweepVerdict, String, Object> {

    private final RunAnalyzerProcessor.Supplier runs;
    private final String diagnosesSink;
    private final String statusSink;
    private RunOutputs outputs;

    private SiblingVerdictProcessor(RunAnalyzerProcessor.Supplier runs, String diagnosesSink, String statusSink) {
        this.runs = runs;
        this.diagnosesSink = diagnosesSink;
        this.statusSink = statusSink;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        super.init(context);
        outputs = runs.outputs(context, diagnosesSink, statusSink);
    }

    @Override
    public void process(Record<String, SweepVerdict> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        RunAnalyzerProcessor run = runs.ofTask(context().taskId());
        if (run == null) {
            throw new IllegalStateException("no run processor in task " + context().taskId());
        }
        run.verdict(record.value(), outputs, record.timestamp());
    }

    static final class Supplier implements ProcessorSupplier<String, SweepVerdict, String, Object> {
        private final RunAnalyzerProcessor.Supplier runs;
        private final String diagnosesSink;
        private final String statusSink;

        Supplier(RunAnalyzerProcessor.Supplier runs, String diagnosesSink, String statusSink) {
            this.runs = runs;
            this.diagnosesSink = diagnosesSink;
            this.statusSink = statusSink;
        }

        @Override
        public SiblingVerdictProcessor get() {
            return new SiblingVerdictProcessor(runs, diagnosesSink, statusSink);
        }
    }
}
