package dev.lossdoctor.core;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators of hostile input: JSON text of any shape, and event sequences with any numbers in them. */
public final class EventArbitraries {

    private EventArbitraries() {
    }

    static final String[] KEYS = {"type", "run_id", "epoch", "step", "timestamp", "metrics", "config", "status", "loss",
            "val_loss", "train_loss", "accuracy", "acc", "val_acc", "val_accuracy", "learning_rate", "lr", "optimizer",
            "batch_size", "task", "output_activation", "hidden_activation", "num_classes", "val_mse", "perplexity"};
    static final String[] TEXTS = {"metrics", "run_started", "run_finished", "r1", "NaN", "nan", "Infinity", "-inf", "inf",
            "null", "none", "0.5", "-1", "1e400", "2026-11-26T10:00:00Z", "2026-11-26T10:00:00+01:00",
            "+1000000000-12-31T23:59:59Z", "-1000000000-01-01T00:00:00Z", "classification", "regression", "sigmoid",
            "softmax", "relu", "", " ", "\u0000", "\n", "é数😀"};
    static final String[] NUMBERS = {"0", "-0", "-0.0", "1", "-1", "0.5", "1e-320", "4.9e-324", "1e300", "-1e300",
            "1e400", "-1e400", "3.4028235e38", "3.5e38", "1.4e-45", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "18446744073709551616", "1.0", "2.5", "12", "4800", "NaN", "Infinity", "-Infinity",
            "1795687920", "1795687920000"};

    // ------------------------------------------------------------------ JSON text

    public static Arbitrary<String> jsonValue() {
        return Arbitraries.recursive(EventArbitraries::jsonLeaf, EventArbitraries::jsonContainer, 0, 3);
    }

    /** A JSON object at the top, the way events come. */
    public static Arbitrary<String> jsonObject() {
        return jsonObjectOf(jsonValue());
    }

    private static Arbitrary<String> jsonLeaf() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(NUMBERS)),
                Tuple.of(2, Arbitraries.doubles().map(d -> Double.isFinite(d) ? Double.toString(d) : "NaN")),
                Tuple.of(2, Arbitraries.longs().map(l -> Long.toString(l))),
                Tuple.of(3, Arbitraries.of(TEXTS).map(EventArbitraries::quote)),
                Tuple.of(2, Arbitraries.strings().ofMaxLength(20).map(EventArbitraries::quote)),
                Tuple.of(2, Arbitraries.of("true", "false", "null")));
    }

    private static Arbitrary<String> jsonContainer(Arbitrary<String> inner) {
        return Arbitraries.oneOf(jsonObjectOf(inner), inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"));
    }

    private static Arbitrary<String> jsonObjectOf(Arbitrary<String> values) {
        Arbitrary<String> key = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of(KEYS)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(12)));
        Arbitrary<String> member = Combinators.combine(key, values).as((k, v) -> quote(k) + ":" + v);
        return member.list().ofMaxSize(6).map(l -> "{" + String.join(",", l) + "}");
    }

    static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    // ------------------------------------------------------------------ events

    static final double[] SPECIAL = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, -1e300, -0.0, 0.0,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, 1e-310, Float.MIN_VALUE, Float.MAX_VALUE, 3.5e38, -3.5e38,
            Double.MAX_VALUE, 1.0, 0.6931471805599453, Math.log(10), 1e-30, 1e30};

    static Arbitrary<Double> anyLoss() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(box(SPECIAL))),
                Tuple.of(3, Arbitraries.doubles().between(-10, 10)),
                Tuple.of(2, Arbitraries.doubles()),
                Tuple.of(1, Arbitraries.doubles().between(0.69, 0.7)));
    }

    static Arbitrary<Long> anyCounter() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 300)),
                Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 53, 1L << 62, (1L << 31) - 1)),
                Tuple.of(1, Arbitraries.longs().greaterOrEqual(0)));
    }

    static Arbitrary<Instant> anyTime() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 4_000_000_000L).map(Instant::ofEpochSecond)),
                Tuple.of(1, Arbitraries.of(Instant.EPOCH, Instant.parse("2026-11-26T10:00:00Z"))));
    }

    static Arbitrary<Map<String, Double>> anyMetrics() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("train_loss", "val_loss")),
                Tuple.of(2, Arbitraries.of("val_accuracy", "train_accuracy", "lr", "val_mse", "train_error", "val_auc",
                        "perplexity", "val_perplexity", "grad_norm")),
                Tuple.of(1, Arbitraries.strings().ofMinLength(1).ofMaxLength(10)));
        return Arbitraries.maps(name, anyLoss()).ofMaxSize(5);
    }

    static Arbitrary<MetricsReported> anyMetricsEvent(String runId) {
        Arbitrary<Long> maybe = anyCounter().injectNull(0.3);
        return Combinators.combine(maybe, maybe, anyCounter(), anyTime().injectNull(0.2), anyMetrics())
                .as((epoch, step, fallback, time, metrics) -> new MetricsReported(runId, epoch,
                        epoch == null && step == null ? fallback : step, time, metrics));
    }

    static Arbitrary<RunConfig> anyConfig() {
        Arbitrary<String> text = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("adam", "sgd", "adagrad", "rmsprop", "classification", "regression",
                        "binary_cross_entropy", "cross_entropy", "mse", "sigmoid", "softmax", "relu", "linear", "tanh")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(30))).injectNull(0.3);
        // what the parser can produce: a finite learning rate, whole numbers from 0 up
        Arbitrary<Double> lr = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.doubles().between(1e-6, 1).ofScale(9)),
                Tuple.of(1, Arbitraries.of(box(SPECIAL)).filter(Double::isFinite))).injectNull(0.3);
        Arbitrary<Integer> whole = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 1024)),
                Tuple.of(1, Arbitraries.integers().greaterOrEqual(0))).injectNull(0.3);
        return Combinators.combine(
                        Combinators.combine(text, lr, whole, text, text, text).as((a, b, c, d, e, f) -> java.util.Arrays.asList(a, b, c, d, e, f)),
                        Combinators.combine(text, whole, whole, text, text).as((a, b, c, d, e) -> java.util.Arrays.<Object>asList(a, b, c, d, e)))
                .as((a, b) -> new RunConfig((String) a.get(0), (Double) a.get(1), (Integer) a.get(2), (String) a.get(3),
                        (String) a.get(4), (String) a.get(5), (String) b.get(0), (Integer) b.get(1), (Integer) b.get(2),
                        (String) b.get(3), (String) b.get(4)));
    }

    /** A run's events with anything in them: configs, counters, losses, times, in any order. */
    static Arbitrary<List<TrainingEvent>> anyRun(String runId) {
        Arbitrary<TrainingEvent> started = Combinators.combine(anyTime().injectNull(0.2), anyConfig().injectNull(0.1))
                .as((t, c) -> new RunStarted(runId, t, c));
        Arbitrary<TrainingEvent> finished = Combinators.combine(anyCounter().injectNull(0.4),
                        Arbitraries.of("completed", "failed", "").injectNull(0.3), anyTime().injectNull(0.2))
                .as((e, s, t) -> new RunFinished(runId, e, s, t));
        Arbitrary<TrainingEvent> event = Arbitraries.frequencyOf(
                Tuple.of(40, anyMetricsEvent(runId).map(m -> (TrainingEvent) m)),
                Tuple.of(1, started),
                Tuple.of(1, finished));
        return event.list().ofMaxSize(120);
    }

    /**
     * A realistic run (what a trainer sends) with hostile values: increasing epochs or steps with
     * repeats and a little disorder, any losses, a run id and config of sensible length.
     */
    static Arbitrary<List<TrainingEvent>> realisticRun() {
        Arbitrary<String> runId = Arbitraries.strings().ofMinLength(1).ofMaxLength(64);
        Arbitrary<RunConfig> config = Combinators.combine(
                        Arbitraries.of("adam", "sgd", "adamw").injectNull(0.2),
                        Arbitraries.doubles().between(1e-6, 1).ofScale(9).injectNull(0.2),
                        Arbitraries.integers().between(1, 4096).injectNull(0.2),
                        Arbitraries.strings().ofMaxLength(32).injectNull(0.3),
                        Arbitraries.strings().ofMaxLength(32).injectNull(0.3))
                .as((opt, lr, bs, model, dataset) -> new RunConfig(opt, lr, bs, "classification", "cross_entropy", "softmax",
                        "relu", 100, 10, model, dataset));
        Arbitrary<int[]> gaps = Arbitraries.integers().between(0, 3).array(int[].class).ofMinSize(1).ofMaxSize(300);
        return Combinators.combine(runId, config, gaps, Arbitraries.of(0L, 1L, 100L, 4096L, 100_000L), Arbitraries.longs(),
                        anyLoss().list().ofSize(300), Arbitraries.of(true, false))
                .as((id, c, g, stride, seed, losses, withAccuracy) -> {
                    List<TrainingEvent> out = new ArrayList<>();
                    out.add(new RunStarted(id, Instant.EPOCH, c));
                    long epoch = 0;
                    java.util.Random rnd = new java.util.Random(seed);
                    for (int i = 0; i < g.length; i++) {
                        epoch += g[i];
                        Map<String, Double> m = new LinkedHashMap<>();
                        m.put("train_loss", losses.get(i));
                        if (i % 3 != 2) {
                            m.put("val_loss", losses.get((i * 7 + 1) % losses.size()));
                        }
                        if (withAccuracy) {
                            m.put("val_accuracy", rnd.nextDouble());
                        }
                        Long step = stride == 0 ? null : (i + 1) * stride;
                        out.add(new MetricsReported(id, stride == 100_000L ? null : epoch, stride == 100_000L ? step : step,
                                Instant.EPOCH.plusSeconds(i), m));
                    }
                    // a little disorder, as Kafka delivers it
                    for (int i = 2; i < out.size() - 1; i++) {
                        if (rnd.nextDouble() < 0.1) {
                            java.util.Collections.swap(out, i, i + 1);
                        }
                    }
                    return out;
                });
    }

    private static Double[] box(double[] v) {
        Double[] out = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
