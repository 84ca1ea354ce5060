package dev.lossdoctor.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Points analysed per CPU-second of one thread: the JMH benchmark's workload, timed by the
 * thread's own CPU clock, so a busy shared machine slows the wall clock but not the figure.
 * Run: {@code bench/run-jmh.sh} prints the JMH figures; this one with
 * {@code java -cp ... dev.lossdoctor.bench.CoreCpuThroughput}.
 */
public final class CoreCpuThroughput {

    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        AnalysisBenchmark bench = new AnalysisBenchmark();
        bench.setUp();
        long points = 2_000_000;
        for (int round = 0; round < 4; round++) { // the first rounds warm the JIT up
            long cpu0 = threads.getCurrentThreadCpuTime();
            long sink = 0;
            for (long i = 0; i < points; i++) {
                sink += bench.analyzePoint();
            }
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            long cpu1 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < points / 4; i++) {
                sink += bench.analyzePointWithStoreRoundTrip();
            }
            double roundTripSeconds = (threads.getCurrentThreadCpuTime() - cpu1) / 1e9;
            System.out.printf("round %d: core %.0f points/CPU-s; with the store round trip %.0f points/CPU-s (%d events)%n",
                    round, points / cpuSeconds, points / 4 / roundTripSeconds, sink);
        }
        bench.reportStateSize();
    }
}
