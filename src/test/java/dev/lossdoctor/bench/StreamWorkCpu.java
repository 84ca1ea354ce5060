package dev.lossdoctor.bench;

import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStateCodec;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import dev.lossdoctor.streams.DiagnosisEventSerde;
import dev.lossdoctor.streams.RunStatusSerde;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The full topology's own work per event without Kafka, timed by the thread's CPU clock: the
 * parse, the state update, the status every tenth point, the values' JSON, the fallback copy and
 * a state encoding per five events (about what a commit every 100 ms writes at the bench's rate).
 * The bench's input (1,500 runs live at a time). For profiling and for comparing two builds in one
 * sitting: {@code java -cp target/test-classes:target/loss-doctor.jar dev.lossdoctor.bench.StreamWorkCpu}.
 */
public final class StreamWorkCpu {

    public static void main(String[] args) {
        int eventsPerRound = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        List<TrainingTraffic.Event> events = TrainingTraffic.benchInput(eventsPerRound);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        EventParser parser = new EventParser();
        RunAnalyzer analyzer = new RunAnalyzer();
        RunStatusSerde statusSerde = new RunStatusSerde();
        DiagnosisEventSerde diagnosisSerde = new DiagnosisEventSerde();
        RunState spare = null;
        for (int round = 0; round < rounds; round++) {
            Map<String, RunState> states = new HashMap<>();
            long sink = 0;
            long[] cpu = new long[5];
            int batch = 1000;
            ParseResult[] parsed = new ParseResult[batch];
            RunState[] touched = new RunState[batch];
            List<List<DiagnosisEvent>> caused = new ArrayList<>(batch);
            RunStatus[] statuses = new RunStatus[batch];
            for (int from = 0; from < events.size(); from += batch) {
                int to = Math.min(events.size(), from + batch);
                long t0 = threads.getCurrentThreadCpuTime();
                for (int i = from; i < to; i++) {
                    TrainingTraffic.Event e = events.get(i);
                    parsed[i - from] = parser.parse(e.runId(), e.value(), Instant.ofEpochMilli(e.timestampMillis()));
                }
                long t1 = threads.getCurrentThreadCpuTime();
                caused.clear();
                for (int i = from; i < to; i++) {
                    TrainingTraffic.Event e = events.get(i);
                    RunState state = states.computeIfAbsent(e.runId(), RunState::new);
                    spare = state.copyInto(spare);
                    RunState fallback = spare;
                    caused.add(analyzer.apply(state, ((ParseResult.Accepted) parsed[i - from]).event()));
                    sink += analyzer.brief(state).points() + fallback.windowSize();
                    touched[i - from] = state;
                }
                long t2 = threads.getCurrentThreadCpuTime();
                for (int i = from; i < to; i++) {
                    RunState state = touched[i - from];
                    statuses[i - from] = !caused.get(i - from).isEmpty() || state.finished() || state.points() % 10 == 0
                            ? analyzer.status(state).withoutCurve() : null;
                }
                long t3 = threads.getCurrentThreadCpuTime();
                for (int i = from; i < to; i++) {
                    for (DiagnosisEvent d : caused.get(i - from)) {
                        sink += diagnosisSerde.serialize("d", d).length;
                    }
                    if (statuses[i - from] != null) {
                        sink += statusSerde.serialize("s", statuses[i - from]).length;
                    }
                }
                long t4 = threads.getCurrentThreadCpuTime();
                for (int i = from; i < to; i += 5) {
                    sink += RunStateCodec.encode(touched[i - from]).length;
                }
                long t5 = threads.getCurrentThreadCpuTime();
                cpu[0] += t1 - t0;
                cpu[1] += t2 - t1;
                cpu[2] += t3 - t2;
                cpu[3] += t4 - t3;
                cpu[4] += t5 - t4;
            }
            double n = events.size() * 1000.0; // ns to µs per event
            long total = cpu[0] + cpu[1] + cpu[2] + cpu[3] + cpu[4];
            System.out.printf("round %d: %.2f µs/event: parse %.2f, apply %.2f, status %.2f, json %.2f, encode/5 %.2f (%d)%n",
                    round, total / n, cpu[0] / n, cpu[1] / n, cpu[2] / n, cpu[3] / n, cpu[4] / n, sink);
        }
    }
}
