package dev.lossdoctor.bench;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStateCodec;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Points analysed per second per thread by the analysis core, on realistic curves (noisy
 * decays, some overfitting, some diverging) over many live runs, and the same with the state
 * store's round trip (decode, apply, encode) that the stream processor does for every record.
 * Run: {@code bench/run-jmh.sh} (see README, Performance).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AnalysisBenchmark {

    static final int RUNS = 1_000;
    static final int EPOCHS = 200;

    private MetricsReported[][] events;
    private RunState[] states;
    private byte[][] stored;
    private int run;
    private int[] next;
    private final RunAnalyzer analyzer = new RunAnalyzer();

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        events = new MetricsReported[RUNS][EPOCHS];
        states = new RunState[RUNS];
        stored = new byte[RUNS][];
        next = new int[RUNS];
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        for (int r = 0; r < RUNS; r++) {
            String id = "run-" + r;
            int kind = r % 4; // 0 learning, 1 overfitting, 2 noisy plateau, 3 diverging late
            double noise = 0.002 + 0.03 * random.nextDouble();
            double start = 0.5 + 2 * random.nextDouble();
            for (int e = 0; e < EPOCHS; e++) {
                double train = start * Math.exp(-e / 30.0) + 0.05;
                double val = kind == 1 ? start * Math.exp(-e / 30.0) + 0.1 + Math.max(0, e - 40) * 0.004 : train * 1.05;
                if (kind == 2) {
                    train = start * 0.7;
                    val = start * 0.72;
                }
                if (kind == 3 && e > 150) {
                    train *= Math.exp((e - 150) / 5.0);
                    val *= Math.exp((e - 150) / 5.0);
                }
                train *= 1 + noise * random.nextGaussian();
                val *= 1 + noise * random.nextGaussian();
                events[r][e] = new MetricsReported(id, (long) e, (long) e * 100, t0.plusSeconds(e),
                        Map.of("train_loss", train, "val_loss", val));
            }
            states[r] = new RunState(id);
            stored[r] = RunStateCodec.encode(states[r]);
        }
    }

    /** The core alone: one point applied to its run's state (runs interleaved, as on a partition). */
    @Benchmark
    public int analyzePoint() {
        int r = nextRun();
        if (next[r] == EPOCHS) {
            next[r] = 0;
            states[r] = new RunState(states[r].runId());
        }
        return analyzer.apply(states[r], events[r][next[r]++]).size();
    }

    /** What the stream processor does per record: state from bytes, apply, state to bytes. */
    @Benchmark
    public int analyzePointWithStoreRoundTrip() {
        int r = nextRun();
        RunState state = next[r] == EPOCHS ? new RunState(events[r][0].runId()) : RunStateCodec.decode(stored[r]);
        if (next[r] == EPOCHS) {
            next[r] = 0;
        }
        int emitted = analyzer.apply(state, events[r][next[r]++]).size();
        stored[r] = RunStateCodec.encode(state);
        return emitted;
    }

    private int nextRun() {
        run = run + 1 == RUNS ? 0 : run + 1;
        return run;
    }

    /** The serialized state per run, printed once: what the store and its changelog hold. */
    @TearDown(Level.Trial)
    public void reportStateSize() {
        long total = 0;
        int max = 0;
        for (int r = 0; r < RUNS; r++) {
            // whichever benchmark ran: the live states, or the stored bytes of the round trip
            int size = Math.max(RunStateCodec.encode(states[r]).length, stored[r].length);
            total += size;
            max = Math.max(max, size);
        }
        System.out.printf("%nserialized run state: mean %d bytes, max %d bytes (window %d points)%n",
                total / RUNS, max, RunState.WINDOW);
    }
}
