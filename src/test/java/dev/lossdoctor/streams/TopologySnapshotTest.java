package dev.lossdoctor.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the topology: every node, store and internal topic name against a committed snapshot.
 * Kafka Streams derives the changelog and repartition topics' names from the store and node
 * names, so renaming one silently orphans a changelog (and the runs' state in it) and leaves a
 * repartition topic half read on upgrade. The snapshot makes such a change a deliberate one.
 */
class TopologySnapshotTest {

    /** Committed beside the tests; rewritten only when {@value #UPDATE} is set. */
    static final Path SNAPSHOT = Path.of("src/test/resources/dev/lossdoctor/streams/topology.txt");
    static final String UPDATE = "lossdoctor.updateTopologySnapshot";
    private static final String APPLICATION_ID = "loss-doctor";
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path stateDir;

    @Test
    void shouldMatchTheCommittedSnapshotOfNodesStoresAndInternalTopics() throws IOException {
        String actual = snapshot(TopologyConfig.defaults());
        if (Boolean.getBoolean(UPDATE)) {
            Files.createDirectories(SNAPSHOT.getParent());
            Files.writeString(SNAPSHOT, actual, StandardCharsets.UTF_8);
        }
        assertThat(SNAPSHOT).as("the topology snapshot").exists();
        String expected = Files.readString(SNAPSHOT, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            fail("The topology differs from its snapshot " + SNAPSHOT + ":\n" + diff(expected, actual)
                    + "\nA renamed store or repartition node renames its internal topic: running instances would lose"
                    + " their state (the old changelog is orphaned) and the unread records of the old repartition"
                    + " topic. If the change is deliberate (and the upgrade notes say how to migrate), update the"
                    + " snapshot and commit it:\n  mvn -B -o test -Dtest=TopologySnapshotTest -D" + UPDATE + "=true");
        }
    }

    @Test
    void shouldNameTheSameNodesStoresAndTopicsWithEitherStateStore() throws IOException {
        // switching state.store must not rename the changelog, or the memory store would restore nothing
        assertThat(snapshot(TopologyConfig.defaults().withStateStore(TopologyConfig.StateStore.MEMORY)))
                .isEqualTo(snapshot(TopologyConfig.defaults()));
    }

    /** The topology's description, then the internal topics it writes (under the application id {@value #APPLICATION_ID}). */
    private String snapshot(TopologyConfig config) throws IOException {
        Topology topology = LossDoctorTopology.build(config);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        Path dir = Files.createTempDirectory(stateDir, "state");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        Set<String> internal = new TreeSet<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props, T0)) {
            Topics topics = config.topics();
            TestInputTopic<String, String> input = driver.createInputTopic(topics.metrics().name(),
                    new StringSerializer(), new StringSerializer());
            // one keyed record, one without a key (through the repartition topic): every topic gets written
            input.pipeInput("snapshot-keyed", Events.metrics("snapshot-keyed", 1, 1.0, 1.1, T0), T0);
            input.pipeInput(null, Events.metrics("snapshot-unkeyed", 1, 1.0, 1.1, T0), T0);
            input.pipeInput("snapshot-bad", "not json", T0);
            // six runs of a sweep, past its warm-up: the sweep path's topics get written too
            for (int r = 0; r < 6; r++) {
                input.pipeInput("snapshot-sweep-" + r, Events.runStarted("snapshot-sweep-" + r, T0, "{\"sweep_id\":\"sw\"}"), T0);
            }
            for (int e = 1; e <= 4; e++) {
                for (int r = 0; r < 6; r++) {
                    input.pipeInput("snapshot-sweep-" + r, Events.metrics("snapshot-sweep-" + r, e, 1.0 / e, 1.1 / e + 0.1 * r, T0), T0);
                }
            }
            driver.producedTopicNames().stream().filter(t -> t.startsWith(APPLICATION_ID + "-")).forEach(internal::add);
        }
        StringBuilder s = new StringBuilder();
        s.append("# LossDoctorTopology.build(TopologyConfig.defaults()).describe(), then the internal topics it writes\n");
        s.append("# with application.id=").append(APPLICATION_ID).append(". See TopologySnapshotTest before changing.\n\n");
        s.append(topology.describe().toString().strip()).append("\n\nInternal topics:\n");
        internal.forEach(t -> s.append("  ").append(t).append('\n'));
        return s.toString();
    }

    /** The lines only in one of the two, in order: enough to see a renamed node or topic at a glance. */
    static String diff(String expected, String actual) {
        List<String> was = expected.lines().toList();
        List<String> now = actual.lines().toList();
        List<String> out = new ArrayList<>();
        was.stream().filter(l -> !now.contains(l)).forEach(l -> out.add("- " + l));
        now.stream().filter(l -> !was.contains(l)).forEach(l -> out.add("+ " + l));
        return out.isEmpty() ? "  (the same lines in another order)" : String.join("\n", out);
    }
}
