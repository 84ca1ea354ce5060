package dev.lossdoctor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.EventFiles;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One reading of a run with fractional epochs, whichever way it comes: the 82 Hugging Face
 * {@code trainer_state.json} files of the wild corpus read by {@code analyze}, the same runs sent
 * as events ({@code publish} writes each event as {@link TrainingEventSerde} does, the stream
 * parses it), and their independent conversion to JSON Lines events give the same diagnoses.
 */
class FractionalEpochsTest {

    private static final Path WILD = Path.of(System.getProperty("shared.dir", "../shared")).resolve("curves/wild");

    private static List<TrainingEvent> read(Path file) throws IOException {
        List<TrainingEvent> events = new ArrayList<>();
        new EventFiles().read(file, events::add, p -> {
            throw new AssertionError(p.toString());
        });
        return events;
    }

    /** The diagnoses (run, epoch, step, code, summary) the analysis gives the events, in order. */
    private static List<String> diagnoses(List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        Map<String, RunState> runs = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (TrainingEvent e : events) {
            analyzer.apply(runs.computeIfAbsent(e.runId(), RunState::new), e).forEach(d -> out.add(
                    d.runId() + " " + d.epoch() + " " + d.step() + " " + d.diagnosis().code() + " " + d.summary()));
        }
        return out;
    }

    @Test
    void shouldReadATrainerStateAsTheStreamReadsItsEventsAndAsItsConversion() throws IOException {
        List<Path> states;
        try (Stream<Path> s = Files.list(WILD.resolve("raw/hf"))) {
            states = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        assertThat(states).hasSize(82);
        TrainingEventSerde serde = new TrainingEventSerde();
        EventParser parser = new EventParser();
        long fractional = 0;
        List<String> differing = new ArrayList<>();
        for (Path state : states) {
            List<TrainingEvent> analyzed = read(state);
            List<TrainingEvent> streamed = new ArrayList<>();
            for (TrainingEvent e : analyzed) {
                byte[] wire = serde.serializer().serialize("training-metrics", e);
                ParseResult parsed = parser.parse(e.runId(), wire, null);
                assertThat(parsed).as("%s: %s", state, new String(wire)).isInstanceOf(ParseResult.Accepted.class);
                streamed.add(((ParseResult.Accepted) parsed).event());
                if (e instanceof MetricsReported m && m.fractionalEpoch() != null) {
                    fractional++;
                    assertThat(new String(wire)).contains("\"epoch\":" + m.fractionalEpoch());
                }
            }
            assertThat(streamed).as("%s through the wire", state).isEqualTo(analyzed);

            String run = state.getFileName().toString().replace(".json", "");
            List<String> fromState = diagnoses(analyzed);
            List<String> fromEvents = diagnoses(read(WILD.resolve("events/" + run + ".jsonl")));
            assertThat(fromState).as(run).isNotEmpty();
            if (!fromState.equals(fromEvents)) {
                differing.add(run);
            }
        }
        assertThat(fractional).as("points with a fractional epoch").isGreaterThan(2000);
        assertThat(differing).as("runs whose trainer state and converted events read differently").isEmpty();
    }
}
