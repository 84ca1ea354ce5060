package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.TrainingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In a log, where the order is known, epochs going back mean a restart (DESIGN.md section 2). */
class RunLogRestartTest {

    @TempDir
    Path dir;

    private static List<TrainingEvent> read(Path file) throws IOException {
        List<TrainingEvent> events = new ArrayList<>();
        List<EventFiles.Problem> problems = new ArrayList<>();
        new EventFiles().read(new EventFiles.Source(file, "run"), events::add, problems::add);
        assertThat(problems).isEmpty();
        return events;
    }

    private static RunState analyze(List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState("run");
        events.forEach(e -> analyzer.apply(s, e));
        return s;
    }

    private static List<RunStarted> resumes(List<TrainingEvent> events) {
        return events.stream().filter(e -> e instanceof RunStarted r && r.resumed()).map(e -> (RunStarted) e).toList();
    }

    @Test
    void shouldReadAKerasCsvAppendedByASecondTrainingAsARestart() throws IOException {
        // epochs 0-19 of a first training, then a second one from initial_epoch=10 (its loss lower)
        StringBuilder csv = new StringBuilder("epoch,loss,val_loss\n");
        for (int e = 0; e < 20; e++) {
            csv.append(String.format(Locale.ROOT, "%d,%.4f,%.4f%n", e, 2.0 / (1 + e), 2.2 / (1 + e)));
        }
        for (int e = 10; e < 30; e++) {
            csv.append(String.format(Locale.ROOT, "%d,%.4f,%.4f%n", e, 1.0 / (1 + e), 1.1 / (1 + e)));
        }
        Path file = dir.resolve("training.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);

        List<TrainingEvent> events = read(file);

        assertThat(resumes(events)).singleElement().satisfies(r -> {
            assertThat(r.resumedFromEpoch()).isEqualTo(9.0);
            assertThat(r.resumedFromStep()).isNull();
        });
        int at = events.indexOf(resumes(events).get(0));
        assertThat(((MetricsReported) events.get(at - 1)).epoch()).isEqualTo(19L);
        assertThat(((MetricsReported) events.get(at + 1)).epoch()).as("the point that went back follows it").isEqualTo(10L);
        RunState s = analyze(events);
        assertThat(s.restarts()).isEqualTo(1);
        assertThat(s.points()).as("epochs 0-9 of the first training, 10-29 of the second").isEqualTo(30);
        assertThat(s.point(10).train()).as("epoch 10 is the second training's").isEqualTo(0.0909f);
        assertThat(s.point(9).train()).as("epoch 9 the first's").isEqualTo(0.2f);
    }

    @Test
    void shouldReadAHuggingFaceLogContinuedAfterAResumeAsARestart() throws IOException {
        // 100 steps an epoch, logged every 50; the log goes on after a resume from step 150 (epoch 1.5)
        StringBuilder history = new StringBuilder();
        int[][] segments = {{50, 300}, {200, 400}};
        for (int k = 0; k < segments.length; k++) {
            for (int step = segments[k][0]; step <= segments[k][1]; step += 50) {
                double loss = (k == 0 ? 2.0 : 1.5) / Math.sqrt(step);
                history.append(history.length() == 0 ? "" : ",").append(String.format(Locale.ROOT,
                        "{\"epoch\":%s,\"step\":%d,\"loss\":%.5f,\"learning_rate\":0.0001}", step / 100.0, step, loss));
                if (step % 100 == 0) {
                    history.append(String.format(Locale.ROOT, ",{\"epoch\":%s,\"step\":%d,\"eval_loss\":%.5f}",
                            step / 100.0, step, loss * 1.1));
                }
            }
        }
        Path file = dir.resolve("trainer_state.json");
        Files.writeString(file, "{\"global_step\":400,\"max_steps\":400,\"log_history\":[" + history + "]}", StandardCharsets.UTF_8);

        List<TrainingEvent> events = read(file);

        assertThat(resumes(events)).singleElement().satisfies(r -> {
            assertThat(r.resumedFromStep()).as("just before the first point that went back").isEqualTo(199L);
            assertThat(r.resumedFromEpoch()).isNull();
        });
        RunState s = analyze(events);
        assertThat(s.restarts()).isEqualTo(1);
        List<Long> steps = new ArrayList<>();
        for (int i = 0; i < s.windowSize(); i++) {
            steps.add(s.point(i).step());
        }
        assertThat(steps).as("a point at each evaluation").containsExactly(100L, 200L, 300L, 400L);
        float resumedVal = Float.parseFloat(String.format(Locale.ROOT, "%.5f", 1.5 / Math.sqrt(200) * 1.1));
        assertThat(s.point(1).val()).as("step 200 is the resumed training's evaluation").isEqualTo(resumedVal);
        float firstVal = Float.parseFloat(String.format(Locale.ROOT, "%.5f", 2.0 / Math.sqrt(100) * 1.1));
        assertThat(s.point(0).val()).as("step 100 the first training's").isEqualTo(firstVal);
    }

    @Test
    void shouldReadALogWhoseEpochsNeverGoBackWithoutARestart() throws IOException {
        StringBuilder csv = new StringBuilder("epoch,loss,val_loss\n");
        for (int e = 0; e < 20; e++) {
            csv.append(String.format(Locale.ROOT, "%d,%.4f,%.4f%n", e, 2.0 / (1 + e), 2.2 / (1 + e)));
        }
        Path file = dir.resolve("training.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);

        List<TrainingEvent> events = read(file);

        assertThat(resumes(events)).isEmpty();
        assertThat(analyze(events).restarts()).isZero();
    }
}
