package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.Curves.uShape;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static dev.lossdoctor.core.RunBuilder.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The states whose stored bytes are kept as golden blobs under {@code src/test/resources/codec/v<N>/},
 * one per released format: each is a run cut at some event; the blob is its state's bytes, and the
 * {@code .next} file the diagnosis events the rest of the run gives. A release writes its blobs
 * with {@link #main} (before the format changes); {@code RunStateCodecGoldenTest} reads them with
 * today's code.
 */
final class CodecGoldens {

    /** A run, and how many of its events make the stored state. */
    record Scenario(String name, List<TrainingEvent> events, int cut, int since) {

        Scenario(String name, List<TrainingEvent> events, int cut) {
            this(name, events, cut, 1);
        }

        @Override
        public String toString() {
            return name;
        }

        List<TrainingEvent> before() {
            return events.subList(0, cut);
        }

        List<TrainingEvent> after() {
            return events.subList(cut, events.size());
        }

        RunState stateBefore() {
            RunAnalyzer analyzer = new RunAnalyzer();
            RunState s = new RunState(events.get(0).runId());
            before().forEach(e -> analyzer.apply(s, e));
            return s;
        }

        /** The rest of the run applied to {@code s}: one line per diagnosis event. */
        List<String> next(RunState s) {
            RunAnalyzer analyzer = new RunAnalyzer();
            List<String> lines = new ArrayList<>();
            for (TrainingEvent e : after()) {
                for (DiagnosisEvent d : analyzer.apply(s, e)) {
                    lines.add(line(d));
                }
            }
            return lines;
        }
    }

    /**
     * {@code s} as a format could store it: what the format had no field for starts afresh when it
     * is read (format 3 added the hysteresis clock).
     */
    static RunState asStoredIn(RunState s, int format) {
        RunState c = s.copy();
        if (format < 3) {
            c.saidAtPoints = 0;
            c.changes = 0;
            c.stopAdvice = null;
        }
        if (format < 4) {
            c.restarts = 0;
        }
        return c;
    }

    static String line(DiagnosisEvent d) {
        return d.diagnosis().code() + " previous=" + (d.previous() == null ? "-" : d.previous().code()) + " epoch=" + d.epoch()
                + " step=" + d.step() + " since=" + d.sinceEpoch() + " confidence=" + d.confidence() + " | " + d.summary()
                + " | " + String.join(" / ", d.recommendations()) + " | " + d.evidence();
    }

    static List<Scenario> scenarios() {
        RunConfig full = new RunConfig("adam", 3e-4, 128, "classification", "cross_entropy", "softmax", "relu", 90, 10,
                "resnet18", "cifar10");
        RunConfig misconfigured = config().task("classification").output("linear").hidden("sigmoid").lr(0.1).build();
        List<Scenario> out = new ArrayList<>();
        out.add(new Scenario("fresh", aRun("fresh").epochs(30).trainCurve(e -> decay(e, 2.0, 0.2, 10))
                .valCurve(e -> decay(e, 2.1, 0.3, 10)).noise(0.01, 1).finished().events(), 0));
        out.add(new Scenario("configured", aRun("configured").withConfig(misconfigured).epochs(30)
                .trainCurve(e -> decay(e, 2.0, 0.2, 10)).valCurve(e -> decay(e, 2.1, 0.3, 10)).noise(0.01, 2).events(), 1));
        out.add(new Scenario("mid-run", aRun("mid-run").withConfig(full).epochs(70)
                .trainCurve(e -> decay(e, 2.3, 0.1, 12)).valCurve(e -> uShape(e, 2.4, 0.6, 25, 0.02)).noise(0.01, 3)
                .finished().events(), 21));
        out.add(new Scenario("full-window", aRun("full-window").epochs(140)
                .trainCurve(e -> decay(e, 1.5, 0.2, 30)).valCurve(e -> decay(e, 1.6, 0.35, 30)).noise(0.02, 4)
                .finished().events(), 100));
        out.add(new Scenario("near-the-line", aRun("near-the-line").epochs(90)
                .trainCurve(e -> decay(e, 1.5, 0.2, 25)).valCurve(e -> decay(e, 1.6, 0.3, 25)).noise(0.004, 5)
                .finished().events(), 62));
        out.add(new Scenario("finished", aRun("finished").started().epochs(40)
                .trainCurve(e -> decay(e, 2.0, 0.5, 6)).valCurve(e -> decay(e, 2.1, 0.6, 6)).noise(0.01, 6)
                .finished().events(), 42));
        out.add(new Scenario("non-finite", aRun("non-finite").epochs(30)
                .trainCurve(e -> decay(e, 2.0, 0.2, 10)).valCurve(e -> decay(e, 2.1, 0.3, 10)).noise(0.01, 7)
                .at(14, "train_loss", Double.NaN).finished().events(), 16));
        out.add(new Scenario("per-step", aRun("per-step").withConfig(config().optimizer("sgd").lr(0.05).batchSize(16))
                .epochs(30).perStep(4).trainCurve(e -> decay(e, 2.0, 0.4, 8)).valCurve(e -> decay(e, 2.1, 0.5, 8))
                .noise(0.03, 8).finished().events(), 80));
        // format 3 keeps the first advice to stop: an overfitting run cut well after it was said
        out.add(new Scenario("advised", aRun("advised").started().epochs(60)
                .trainCurve(e -> decay(e, 2.2, 0.1, 10)).valCurve(e -> uShape(e, 2.3, 0.5, 18, 0.03)).noise(0.005, 9)
                .finished().events(), 45, 3));
        // format 3: a learning-rate schedule, a recovered spike, the hysteresis clock
        out.add(new Scenario("schedule-spike", aRun("schedule-spike").withConfig(config().lr(0.1)).epochs(90)
                .trainCurve(e -> decay(e, 2.0, 0.3, 10)).valCurve(e -> decay(e, 2.1, 0.4, 10)).noise(0.005, 9)
                .curve("lr", e -> 0.05 * (1 + Math.cos(Math.PI * (e - 1) / 89))).at(40, "train_loss", 3.0)
                .finished().events(), 75, 3));
        // format 4 keeps the restarts: an overfitting run resumed from its best epoch with a lower
        // rate, cut two points into the resumed training (the hysteresis waiting on their readings)
        List<TrainingEvent> restarted = new ArrayList<>(aRun("restarted").started().withConfig(full).epochs(30)
                .trainCurve(e -> decay(e, 2.2, 0.1, 8)).valCurve(e -> uShape(e, 2.3, 0.5, 12, 0.03)).noise(0.004, 11)
                .events());
        restarted.add(new RunStarted("restarted", RunBuilder.START.plusSeconds(3600), config().lr(3e-5).build(), null, 12.0, null));
        int resumedAt = restarted.size();
        restarted.addAll(aRun("restarted").firstEpoch(13).epochs(25).trainCurve(e -> 0.25 * (0.6 + 0.4 * Math.exp(-(e - 12) / 15)))
                .valCurve(e -> 0.5 * (0.75 + 0.25 * Math.exp(-(e - 12) / 15))).noise(0.004, 12).finished().events());
        out.add(new Scenario("restarted", restarted, resumedAt + 2, 4));
        return out;
    }

    /** The scenarios a format has blobs of (a scenario added with a later format has none in the older ones). */
    static List<Scenario> scenarios(int format) {
        return scenarios().stream().filter(sc -> sc.since() <= format).toList();
    }


    /** Writes today's blobs: {@code CodecGoldens <dir>} (e.g. src/test/resources/codec/v1). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (Scenario sc : scenarios(RunStateCodec.VERSION)) {
            RunState s = sc.stateBefore();
            Files.writeString(dir.resolve(sc.name() + ".hex"), HexFormat.of().formatHex(RunStateCodec.encode(s)) + "\n",
                    StandardCharsets.UTF_8);
            System.out.println(sc.name() + ": " + s.points() + " points, current " + s.current() + ", readings "
                    + java.util.Arrays.toString(s.readings));
            Files.write(dir.resolve(sc.name() + ".next"), sc.next(s), StandardCharsets.UTF_8);
        }
    }

    private CodecGoldens() {
    }
}
