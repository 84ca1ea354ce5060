package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static dev.lossdoctor.core.RunBuilder.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The state store's bytes: a round trip gives an equal state that analyses on exactly like the live one, and it stays small. */
class RunStateCodecTest {

    private static final int BUDGET_BYTES = 2048;

    private static RunState stateAfter(List<TrainingEvent> events) {
        return RunBuilder.analyze(events).state();
    }

    private static RunState roundTrip(RunState s) {
        return RunStateCodec.decode(RunStateCodec.encode(s));
    }

    private static RunBuilder curve(String id, int epochs) {
        return aRun(id).epochs(epochs)
                .trainCurve(e -> decay(e, 2.0, 0.2, 20))
                .valCurve(e -> decay(e, 2.1, 0.3, 20))
                .noise(0.01, 4);
    }

    @Test
    void shouldRoundTripAnEmptyState() {
        RunState empty = new RunState("empty");
        RunState back = roundTrip(empty);

        assertThat(back).isEqualTo(empty);
        assertThat(back.runId()).isEqualTo("empty");
        assertThat(back.windowSize()).isZero();
        assertThat(back.current()).isNull();
        assertThat(back.config()).isEqualTo(RunConfig.EMPTY);
    }

    @Test
    void shouldRoundTripAPartialWindowWithAFullConfig() {
        RunConfig c = new RunConfig("adam", 3e-4, 128, "classification", "cross_entropy", "softmax", "gelu", 90, 1000,
                "vit-b/16", "imagenet-1k");
        RunState s = stateAfter(curve("partial", 10).withConfig(c).events());
        RunState back = roundTrip(s);

        assertThat(back).isEqualTo(s);
        assertThat(back.config()).isEqualTo(c);
        assertThat(back.windowSize()).isEqualTo(10);
        assertThat(back.current()).isEqualTo(Diagnosis.LEARNING);
        assertThat(back.point(9)).isEqualTo(s.point(9));
    }

    @Test
    void shouldRoundTripAConfigWithNulls() {
        RunConfig c = new RunConfig(null, 0.1, null, "regression", null, null, "tanh", null, null, null, "ünïcødé-数据");
        RunState s = stateAfter(curve("nulls", 6).withConfig(c).events());

        assertThat(roundTrip(s)).isEqualTo(s);
        assertThat(roundTrip(s).config()).isEqualTo(c);
    }

    @Test
    void shouldRoundTripAFullWindowWithEvictedAggregatesAndANonFinitePoint() {
        RunState s = stateAfter(curve("long", 200).perStep(3).curve("val_accuracy", e -> 0.9 - 0.5 * Math.exp(-e / 10))
                .at(5, "train_loss", Double.NaN).finished().events());

        assertThat(s.windowSize()).isEqualTo(RunState.WINDOW);
        assertThat(s.points()).isEqualTo(600);
        assertThat(s.evicted.isEmpty()).isFalse();
        assertThat(s.evicted.hasNonFinite()).as("the NaN of epoch 5 left the window long ago").isTrue();
        RunState back = roundTrip(s);
        assertThat(back).isEqualTo(s);
        assertThat(back.evicted).isEqualTo(s.evicted);
        assertThat(back.finished()).isTrue();
        assertThat(back.current()).isEqualTo(Diagnosis.DIVERGING);
    }

    @Test
    void shouldRoundTripAStalledRun() {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = stateAfter(curve("stalled", 12).events());
        assertThat(analyzer.checkStalled(s, RunBuilder.START.plusSeconds(86_400), java.time.Duration.ofMinutes(5))).isPresent();

        RunState back = roundTrip(s);
        assertThat(back).isEqualTo(s);
        assertThat(back.current()).isEqualTo(Diagnosis.STALLED);
        assertThat(analyzer.checkStalled(back, RunBuilder.START.plusSeconds(90_000), java.time.Duration.ofMinutes(5)))
                .as("the stalled flag survives").isEmpty();
    }

    @ParameterizedTest(name = "restored after {0} of 150 events")
    @ValueSource(ints = {1, 3, 5, 40, 64, 65, 100, 149})
    void shouldAnalyseARestoredStateExactlyLikeTheLiveOne(int cut) {
        List<TrainingEvent> events = aRun("restore").withConfig(config().lr(0.01).batchSize(32)).epochs(150)
                .trainCurve(e -> decay(e, 2.0, 0.05, 40))
                .valCurve(e -> Curves.uShape(e, 2.1, 0.6, 70, 0.01))
                .noise(0.02, 8).finished().events();
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState live = new RunState("restore");
        List<DiagnosisEvent> liveOut = new ArrayList<>();
        List<DiagnosisEvent> restoredOut = new ArrayList<>();
        for (int i = 0; i < cut; i++) {
            List<DiagnosisEvent> out = analyzer.apply(live, events.get(i));
            liveOut.addAll(out);
            restoredOut.addAll(out);
        }
        RunState restored = roundTrip(live);
        for (int i = cut; i < events.size(); i++) {
            liveOut.addAll(analyzer.apply(live, events.get(i)));
            // the stream serializes after every update
            restored = roundTrip(restored);
            restoredOut.addAll(analyzer.apply(restored, events.get(i)));
        }

        assertThat(restoredOut).isEqualTo(liveOut);
        assertThat(restored).isEqualTo(live);
        assertThat(liveOut).extracting(DiagnosisEvent::diagnosis).contains(Diagnosis.OVERFITTING);
    }

    @Test
    void shouldKeepAFullWindowOfTrainAndValWithinTwoKilobytes() {
        RunConfig c = config().optimizer("adam").lr(0.001).batchSize(32).task("classification").loss("cross_entropy")
                .output("softmax").hidden("relu").maxEpochs(100).classes(10).model("resnet18").dataset("cifar10").build();
        RunState perEpoch = stateAfter(curve("run-2026-11-26-resnet18-cifar10-seed-0001", 200).withConfig(c).events());
        RunState perStep = stateAfter(curve("run-2026-11-26-resnet18-cifar10-seed-0002", 200)
                .stepsOnly(400).withConfig(c).events());
        RunState withAccuracy = stateAfter(curve("run-2026-11-26-resnet18-cifar10-seed-0003", 200).withConfig(c)
                .curve("val_accuracy", e -> 0.9 - 0.5 * Math.exp(-e / 20)).events());

        for (RunState s : List.of(perEpoch, perStep, withAccuracy)) {
            assertThat(s.windowSize()).isEqualTo(RunState.WINDOW);
            int size = RunStateCodec.encode(s).length;
            System.out.printf("serialized run state, full window of %d points (%s): %d bytes%n", RunState.WINDOW,
                    s == perEpoch ? "per epoch, train+val" : s == perStep ? "per step, train+val" : "per epoch, train+val+val_accuracy",
                    size);
            assertThat(size).as("bytes of %s", s.runId()).isLessThanOrEqualTo(BUDGET_BYTES);
        }
    }

    @Test
    void shouldKeepTheLargestStateTheParserAllowsWithinTheIssuesBudget() {
        String longText = "数".repeat(256);
        RunConfig c = new RunConfig(longText, 0.1, Integer.MAX_VALUE, longText, longText, longText, longText,
                Integer.MAX_VALUE, Integer.MAX_VALUE, longText, longText);
        RunBuilder b = aRun("ид".repeat(128)).withConfig(c).epochs(200).stepsOnly(Long.MAX_VALUE / 400)
                .trainCurve(e -> decay(e, 2.0, 0.2, 20)).valCurve(e -> decay(e, 2.1, 0.3, 20))
                .curve("val_accuracy", e -> 0.5);
        RunState s = stateAfter(b.events());
        int size = RunStateCodec.encode(s).length;
        System.out.printf("largest serialized run state: %d bytes%n", size);
        assertThat(size).isLessThanOrEqualTo(4096);
    }

    @Test
    void shouldRejectCorruptBytesWithIllegalArgumentException() {
        byte[] good = RunStateCodec.encode(stateAfter(curve("corrupt", 30).events()));

        assertThatThrownBy(() -> RunStateCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        // every truncation
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThatThrownBy(() -> RunStateCodec.decode(cut)).as("truncated to %d of %d bytes", len, good.length)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        // an unknown format version
        byte[] version = good.clone();
        version[0] = 99;
        assertThatThrownBy(() -> RunStateCodec.decode(version)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("99");
        // text
        assertThatThrownBy(() -> RunStateCodec.decode("{\"run_id\":\"r1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        // random garbage behind a valid version byte
        Random rnd = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(junk);
            junk[0] = good[0];
            try {
                RunStateCodec.decode(junk);
            } catch (RuntimeException e) {
                assertThat(e).as("decoding %s", Arrays.toString(junk)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void shouldKeepTheRestartsThroughARoundTrip() {
        RunState s = stateAfter(curve("restarted", 20).events());
        new RunAnalyzer().apply(s, new RunStarted("restarted", null, RunConfig.EMPTY, null, 8.0, null));

        RunState back = RunStateCodec.decode(RunStateCodec.encode(s));

        assertThat(back.restarts()).isEqualTo(1);
        assertThat(back.points()).isEqualTo(8);
        assertThat(back).isEqualTo(s);
    }

    @Test
    void shouldRejectAWindowLargerThanTheStateCanHold() {
        RunState s = stateAfter(curve("window", 3).events());
        byte[] bytes = RunStateCodec.encode(s);
        // the window size byte comes right before the 3 points; rewrite it to 200 and pad
        byte[] big = Arrays.copyOf(bytes, bytes.length + 200 * 16);
        int sizeAt = indexOfWindowSize(bytes, s);
        big[sizeAt] = (byte) 200;
        assertThatThrownBy(() -> RunStateCodec.decode(big)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Where the window size byte is: the codec writes it after everything but the points and the
     * trailer of a state never advised to stop nor restarted (format 3: no stop advice, one byte;
     * format 4: no restart, one byte more).
     */
    private static int indexOfWindowSize(byte[] bytes, RunState s) {
        byte[] headerOnly = RunStateCodec.encode(copyWithoutWindow(s));
        int at = headerOnly.length - 3;
        assertThat(headerOnly[at]).isZero();
        assertThat(bytes[at]).isEqualTo((byte) s.windowSize());
        return at;
    }

    private static RunState copyWithoutWindow(RunState s) {
        RunState c = RunStateCodec.decode(RunStateCodec.encode(s));
        c.size = 0;
        c.saidAtPoints = 0;
        c.stopAdvice = null;
        return c;
    }

    @org.junit.jupiter.api.Test
    void shouldEncodeARunWithAOneLetterIdAndNoConfigAtAll() {
        RunState s = new RunState("r");
        RunState back = RunStateCodec.decode(RunStateCodec.encode(s));
        org.assertj.core.api.Assertions.assertThat(back).isEqualTo(s);
        org.assertj.core.api.Assertions.assertThat(back.config()).isEqualTo(RunConfig.EMPTY);
    }
}
