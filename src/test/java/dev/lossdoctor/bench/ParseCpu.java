package dev.lossdoctor.bench;

import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.List;

/**
 * The parse alone of {@link StreamWorkCpu} (the bench's input, read by {@link EventParser}), timed
 * by the thread's CPU clock, without the rest of the per-event work: for comparing two builds of
 * the parser in one sitting at little cost to a shared machine:
 * {@code java -cp target/test-classes:target/loss-doctor.jar dev.lossdoctor.bench.ParseCpu}.
 */
public final class ParseCpu {

    public static void main(String[] args) {
        int eventsPerRound = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<TrainingTraffic.Event> events = TrainingTraffic.benchInput(eventsPerRound);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        EventParser parser = new EventParser();
        ParseResult[] parsed = new ParseResult[1000];
        for (int round = 0; round < rounds; round++) {
            long cpu = 0, accepted = 0;
            for (int from = 0; from < events.size(); from += parsed.length) {
                int to = Math.min(events.size(), from + parsed.length);
                long t0 = threads.getCurrentThreadCpuTime();
                for (int i = from; i < to; i++) {
                    TrainingTraffic.Event e = events.get(i);
                    parsed[i - from] = parser.parse(e.runId(), e.value(), Instant.ofEpochMilli(e.timestampMillis()));
                }
                cpu += threads.getCurrentThreadCpuTime() - t0;
                for (int i = from; i < to; i++) {
                    accepted += parsed[i - from] instanceof ParseResult.Accepted ? 1 : 0;
                }
            }
            System.out.printf("round %d: parse %.3f µs/event (%d accepted of %d)%n", round, cpu / (events.size() * 1000.0),
                    accepted, events.size());
        }
    }
}
