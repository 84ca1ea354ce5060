package dev.lossdoctor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lossdoctor.cli.LossDoctor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loss-doctor bench}, small, on its own embedded broker: every figure the issue names is in
 * the report and is what it says (not how fast this machine is: that is the benchmark's job).
 */
class BenchCommandIT {

    @TempDir
    Path dir;

    @Test
    void shouldMeasureBothTopologiesLatencyAndScaleOnOneBroker() throws Exception {
        Path out = dir.resolve("bench.json");
        int code = LossDoctor.execute("bench", "--events", "40000", "--runs", "400", "--repeats", "2", "--threads", "1",
                "--latency-seconds", "3", "--scale", "100,2000", "--scale-events", "10000", "--json", "--out", out.toString());
        assertThat(code).isZero();
        JsonNode r = new ObjectMapper().readTree(Files.readString(out));

        // throughput: both topologies, every round, the same input, CPU accounted by kind of thread
        List<Double> passThrough = new ArrayList<>(), full = new ArrayList<>();
        for (String topology : List.of("passThrough", "countPerKey", "full")) {
            assertThat(r.get(topology)).hasSize(2);
            for (JsonNode round : r.get(topology)) {
                // the events between the commit that passed 10 % of the 40,000 and the one that passed 90 %
                // (a fast topology may do half of them in one commit), and the rate is theirs
                assertThat(round.get("events").asLong()).isBetween(1L, 40_000L);
                assertThat(round.get("eventsPerSecond").asDouble()).isPositive()
                        .isCloseTo(round.get("events").asLong() / round.get("seconds").asDouble(),
                                org.assertj.core.data.Percentage.withPercentage(1e-6));
                JsonNode cpu = round.get("cpuMicrosPerEvent");
                assertThat(cpu.fieldNames()).toIterable()
                        .containsExactly(ThreadCpu.STREAM_THREADS, ThreadCpu.CLIENT_IO, ThreadCpu.BROKER, ThreadCpu.OTHER);
                assertThat(cpu.get(ThreadCpu.STREAM_THREADS).asDouble()).isPositive();
                assertThat(cpu.get(ThreadCpu.BROKER).asDouble()).isPositive();
                if (!topology.equals("countPerKey")) {
                    (topology.equals("full") ? full : passThrough).add(round.get("eventsPerSecond").asDouble());
                }
            }
        }
        double ratio = full.stream().mapToDouble(d -> d).max().orElseThrow() / passThrough.stream().mapToDouble(d -> d).max().orElseThrow();
        assertThat(r.get("ratio").asDouble()).isCloseTo(ratio, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.get("countPerKeyRatio").asDouble()).isPositive();
        assertThat(r.get("options").get("threads").asInt()).isEqualTo(1);

        // state of runs with full windows: within the 2 KB a run may take
        JsonNode state = r.get("state");
        assertThat(state.get("runs").asLong()).isPositive();
        assertThat(state.get("averageBytes").asDouble()).isBetween(100.0, 2048.0);
        assertThat(state.get("maxBytes").asLong()).isBetween((long) state.get("averageBytes").asDouble(), 2048L);

        // latency at half the best full rate: diagnoses and statuses came back, percentiles in order
        JsonNode latency = r.get("latency");
        assertThat(latency.get("targetRate").asDouble()).isCloseTo(full.stream().mapToDouble(d -> d).max().orElseThrow() / 2,
                org.assertj.core.data.Offset.offset(1e-6));
        for (String kind : List.of("diagnoses", "statuses")) {
            JsonNode p = latency.get(kind);
            assertThat(p.get("samples").asLong()).as(kind).isPositive();
            assertThat(p.get("p50").asDouble()).isPositive().isLessThanOrEqualTo(p.get("p99").asDouble());
            assertThat(p.get("p99").asDouble()).isLessThanOrEqualTo(p.get("max").asDouble());
        }

        // scale: each step's runs are in the store, each small (one or a few points)
        JsonNode scale = r.get("scale");
        assertThat(scale).hasSize(2);
        assertThat(scale.get(0).get("liveRuns").asInt()).isEqualTo(100);
        assertThat(scale.get(1).get("liveRuns").asInt()).isEqualTo(2000);
        for (JsonNode step : scale) {
            assertThat(step.get("eventsPerSecond").asDouble()).isPositive();
            assertThat(step.get("measuredEvents").asLong()).isEqualTo(10_000);
            assertThat(step.get("valueBytesPerRun").asDouble()).isBetween(50.0, 2048.0);
            assertThat(step.get("changelogBytesPerRun").asDouble()).isPositive();
        }
    }

    @Test
    void shouldReportTheSameFieldsInQuickMode() throws Exception {
        Path out = dir.resolve("quick.json");
        // --quick's own repeats, latency and (no) scale steps; fewer events than its own, to keep the test short
        int code = LossDoctor.execute("bench", "--quick", "--events", "20000", "--json", "--out", out.toString());
        assertThat(code).isZero();
        JsonNode r = new ObjectMapper().readTree(Files.readString(out));

        assertThat(r.fieldNames()).toIterable().containsExactly(
                java.util.Arrays.stream(Benchmark.Report.class.getRecordComponents()).map(c -> c.getName()).toArray(String[]::new));
        assertThat(r.get("options").get("events").asLong()).isEqualTo(20_000);
        assertThat(r.get("options").get("repeats").asInt()).isEqualTo(2);
        assertThat(r.get("options").get("scaleRuns")).isEmpty();
        assertThat(r.get("scale")).isEmpty();
        for (String topology : List.of("passThrough", "countPerKey", "full")) {
            assertThat(r.get(topology)).as(topology).hasSize(2);
            for (JsonNode round : r.get(topology)) {
                assertThat(round.get("eventsPerSecond").asDouble()).isPositive();
                assertThat(round.get("cpuMicrosPerEvent").get(ThreadCpu.STREAM_THREADS).asDouble()).isPositive();
            }
        }
        assertThat(r.get("ratio").asDouble()).isPositive();
        assertThat(r.get("state").get("averageBytes").asDouble()).isBetween(100.0, 2048.0);
        assertThat(r.get("latency").get("diagnoses").get("samples").asLong()).isPositive();
        assertThat(r.get("latency").get("seconds").asDouble()).isGreaterThanOrEqualTo(3.0);
    }

    @Test
    void shouldRejectABadArgumentInOneLine() {
        for (String[] args : new String[][] {{"bench", "--threads", "0"}, {"bench", "--latency-seconds", "1"},
                {"bench", "--latency-rate", "-5"}}) {
            java.io.StringWriter err = new java.io.StringWriter();
            int code = LossDoctor.execute(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true), args);

            assertThat(code).isEqualTo(2);
            assertThat(err.toString().lines().toList()).as(String.join(" ", args)).containsExactly(
                    "loss-doctor: --events, --runs, --partitions, --threads, --repeats and --scale-events must be positive, "
                            + "--latency-seconds at least 3, --latency-rate not negative");
        }
    }
}
