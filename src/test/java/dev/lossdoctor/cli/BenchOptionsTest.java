package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.bench.Benchmark;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** What {@code bench --quick} measures: fewer events, two repeats, no scale steps; a flag given beside it wins. */
class BenchOptionsTest {

    private static Benchmark.Options parse(String... args) {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void shouldMeasureLessWithQuick() {
        Benchmark.Options full = parse();
        Benchmark.Options quick = parse("--quick");

        assertThat(full.events()).isEqualTo(1_000_000);
        assertThat(full.repeats()).isEqualTo(3);
        assertThat(full.scaleRuns()).containsExactly(1_000, 100_000);
        assertThat(quick.events()).isEqualTo(BenchCommand.QUICK_EVENTS).isLessThan(full.events());
        assertThat(quick.runs()).isEqualTo(BenchCommand.QUICK_RUNS);
        assertThat(quick.repeats()).isEqualTo(2);
        assertThat(quick.latencySeconds()).isEqualTo(BenchCommand.QUICK_LATENCY_SECONDS);
        assertThat(quick.scaleRuns()).isEmpty();
        assertThat(quick.partitions()).isEqualTo(full.partitions());
        assertThat(quick.threads()).isEqualTo(full.threads());
    }

    @Test
    void shouldLetAFlagGivenBesideQuickWin() {
        Benchmark.Options o = parse("--quick", "--events", "20000", "--scale", "100", "--repeats", "1");

        assertThat(o.events()).isEqualTo(20_000);
        assertThat(o.scaleRuns()).containsExactly(100);
        assertThat(o.repeats()).isEqualTo(1);
        assertThat(o.latencySeconds()).isEqualTo(BenchCommand.QUICK_LATENCY_SECONDS);
    }
}
