package dev.lossdoctor.bench;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Points analysed per CPU-second of one thread for runs reporting several points an epoch (the
 * argument, default 20), whose trends are read over long stretches (3 epochs, up to the whole
 * view): the case the fits from running sums are for. 1,000 runs of 400 noisy decaying points,
 * interleaved as on a partition. Run with
 * {@code java -cp target/test-classes:target/loss-doctor.jar dev.lossdoctor.bench.PerStepCpuThroughput 20}.
 */
public final class PerStepCpuThroughput {

    public static void main(String[] args) {
        int runs = 1_000, points = 400;
        int perEpoch = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        SplittableRandom random = new SplittableRandom(7);
        MetricsReported[][] events = new MetricsReported[runs][points];
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        for (int r = 0; r < runs; r++) {
            double start = 0.5 + 2 * random.nextDouble(), noise = 0.002 + 0.03 * random.nextDouble();
            for (int i = 0; i < points; i++) {
                double level = start * Math.exp(-i / (30.0 * perEpoch));
                double train = (level + 0.05) * (1 + noise * random.nextGaussian());
                double val = (level + 0.08) * (1 + noise * random.nextGaussian());
                events[r][i] = new MetricsReported("run-" + r, (long) (i / perEpoch), (long) i, t0.plusSeconds(i),
                        Map.of("train_loss", train, "val_loss", val));
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        RunAnalyzer analyzer = new RunAnalyzer();
        for (int round = 0; round < 8; round++) { // the first rounds warm the JIT up
            RunState[] states = new RunState[runs];
            for (int r = 0; r < runs; r++) {
                states[r] = new RunState("run-" + r);
            }
            long cpu0 = threads.getCurrentThreadCpuTime();
            long sink = 0;
            for (int i = 0; i < points; i++) {
                for (int r = 0; r < runs; r++) {
                    sink += analyzer.apply(states[r], events[r][i]).size();
                }
            }
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            System.out.printf("%d points an epoch, round %d: %.0f points/CPU-s (%d events)%n", perEpoch, round,
                    runs * points / cpuSeconds, sink);
        }
    }
}
