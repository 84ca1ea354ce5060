package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.Forecast;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.Siblings;
import dev.lossdoctor.core.StopAdvice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The status and the diagnosis event are written field by field, without its tree; its bytes are exactly the tree's
 * ({@link Json#statusNode}, {@link Json#diagnosisNode}), whatever they hold: nulls, non-finite and extreme numbers,
 * any text, and the optional parts in any combination.
 */
class JsonWriterProperties {

    private static void sameAsTheTree(RunStatus s) {
        assertThat(new String(Json.statusBytes(s), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.statusTreeBytes(s), StandardCharsets.UTF_8));
    }

    private static void sameAsTheTree(DiagnosisEvent e) {
        assertThat(new String(Json.diagnosisBytes(e), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.diagnosisTreeBytes(e), StandardCharsets.UTF_8));
    }

    /** Every status of every run of the corpus, after every event, with its curve and without; and every diagnosis event. */
    @Test
    void theCorpusStatusesAfterEveryEvent() throws IOException {
        EventParser parser = new EventParser();
        RunAnalyzer analyzer = new RunAnalyzer();
        int compared = 0, diagnoses = 0;
        try (Stream<Path> files = Files.list(Path.of("bench/corpus"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                Map<String, RunState> runs = new HashMap<>();
                for (String line : Files.readAllLines(f)) {
                    if (parser.parse(null, line.getBytes(StandardCharsets.UTF_8), Instant.EPOCH)
                            instanceof ParseResult.Accepted a) {
                        RunState state = runs.computeIfAbsent(a.event().runId(), RunState::new);
                        for (DiagnosisEvent e : analyzer.apply(state, a.event())) {
                            sameAsTheTree(e);
                            diagnoses++;
                        }
                        sameAsTheTree(analyzer.status(state));
                        sameAsTheTree(analyzer.statusWithoutCurve(state));
                        compared += 2;
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(5_000);
        assertThat(diagnoses).isGreaterThan(100);
    }

    @Provide
    Arbitrary<RunStatus> statuses() {
        Arbitrary<Long> longs = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-5, 500)).injectNull(0.2);
        Arbitrary<Double> doubles = Arbitraries.oneOf(Arbitraries.doubles(),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE,
                        Double.MAX_VALUE, 1e-300, 0.1, 1.0 / 3)).injectNull(0.2);
        Arbitrary<String> texts = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
                Arbitraries.strings().ascii().ofMaxLength(40), Arbitraries.of("", "\"quoted\" \\ back", "é ü 日本 \u2028 \u0000"))
                .injectNull(0.2);
        Arbitrary<Diagnosis> diagnoses = Arbitraries.of(Diagnosis.class);
        Arbitrary<List<String>> advice = texts.list().ofMaxSize(4);
        Arbitrary<StopAdvice.Spent> spent = Combinators.combine(diagnoses, Arbitraries.longs(), Arbitraries.longs(), longs)
                .as(StopAdvice.Spent::new).injectNull(0.5);
        Arbitrary<Siblings> siblings = Combinators.combine(texts.filter(t -> t != null), Arbitraries.longs(),
                Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.integers(), Arbitraries.integers(),
                Arbitraries.doubles(), Arbitraries.of(true, false))
                .as((id, at, byStep, byScore, rank, of, median, lagging) ->
                        new Siblings(id, at, byStep, byScore, rank, of, median, Double.NaN, Double.NaN, lagging))
                .injectNull(0.6);
        Arbitrary<RunStatus.Spikes> spikes = Combinators.combine(Arbitraries.longs(), Arbitraries.longs().list().ofMaxSize(8))
                .as(RunStatus.Spikes::new).injectNull(0.6);
        Arbitrary<Double> anyDouble = doubles.filter(d -> d != null);
        Arbitrary<Forecast> forecasts = Combinators.combine(Arbitraries.longs(), anyDouble, anyDouble, anyDouble,
                Arbitraries.longs(), Arbitraries.longs(), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(Forecast::new).injectNull(0.4);
        Arbitrary<List<RunStatus.CurvePoint>> curves = Combinators.combine(longs, longs, doubles, doubles)
                .as(RunStatus.CurvePoint::new).list().ofMaxSize(5);
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 253_402_300_799L).map(Instant::ofEpochSecond).injectNull(0.2);
        Arbitrary<Object[]> head = Combinators.combine(texts.filter(t -> t != null), diagnoses, longs, longs, longs, doubles,
                doubles, texts).as((a, b, c, d, e, f, g, h) -> new Object[] {a, b, c, d, e, f, g, h});
        Arbitrary<Object[]> middle = Combinators.combine(texts, longs, doubles, texts, advice, Arbitraries.of(true, false),
                Arbitraries.longs(), times).as((a, b, c, d, e, f, g, h) -> new Object[] {a, b, c, d, e, f, g, h});
        // restarts: mostly none (not written), sometimes a few, now and then the most an int holds
        Arbitrary<Integer> restarts = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(0)),
                Tuple.of(3, Arbitraries.integers().between(1, 5)), Tuple.of(1, Arbitraries.integers().between(0, Integer.MAX_VALUE)));
        Arbitrary<Object[]> tail = Combinators.combine(curves, spent, siblings, spikes, forecasts, restarts)
                .as((a, b, c, d, e, f) -> new Object[] {a, b, c, d, e, f});
        return Combinators.combine(head, middle, tail).as(JsonWriterProperties::status);
    }

    @SuppressWarnings("unchecked")
    private static RunStatus status(Object[] h, Object[] m, Object[] t) {
        return new RunStatus((String) h[0], (Diagnosis) h[1], (Long) h[2], (Long) h[3], (Long) h[4], (Double) h[5],
                (Double) h[6], (String) h[7], (String) m[0], (Long) m[1], (Double) m[2], (String) m[3],
                (List<String>) m[4], (Boolean) m[5], (Long) m[6], (Instant) m[7], (List<RunStatus.CurvePoint>) t[0],
                (StopAdvice.Spent) t[1], (Siblings) t[2], (RunStatus.Spikes) t[3], (Forecast) t[4], (Integer) t[5]);
    }

    /** Evidence as the rules put it (texts, numbers, booleans, lists, maps), with nulls and types they don't use. */
    @Provide
    Arbitrary<DiagnosisEvent> diagnosisEvents() {
        Arbitrary<Long> longs = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-5, 500)).injectNull(0.2);
        Arbitrary<String> texts = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30),
                Arbitraries.of("", "\"quoted\" \\ back", "é ü 日本 \u2028 \u0000")).injectNull(0.2);
        Arbitrary<Object> scalars = Arbitraries.oneOf(texts.map(t -> (Object) t),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.of(Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 1e-300, 0.1, 5.0).map(d -> (Object) d),
                Arbitraries.integers().map(i -> (Object) i), Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.floats().map(f -> (Object) f),
                Arbitraries.of(new BigDecimal("1.50"), (short) 7, 'c', java.util.UUID.fromString("00000000-0000-0000-0000-00000000002a")).map(o -> (Object) o));
        Arbitrary<Object> values = Arbitraries.oneOf(scalars, scalars.list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), scalars).ofMaxSize(3)
                        .map(m -> (Object) new LinkedHashMap<>(m)));
        Arbitrary<Map<String, Object>> evidence = Arbitraries.maps(Arbitraries.strings().ofMaxLength(12), values.injectNull(0.1))
                .ofMaxSize(6).map(m -> (Map<String, Object>) new LinkedHashMap<>(m)).injectNull(0.05);
        Arbitrary<Diagnosis> diagnoses = Arbitraries.of(Diagnosis.class);
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 253_402_300_799L).map(Instant::ofEpochSecond).injectNull(0.2);
        Arbitrary<Object[]> head = Combinators.combine(texts, longs, longs, diagnoses, diagnoses.injectNull(0.3), longs)
                .as((a, b, c, d, e, f) -> new Object[] {a, b, c, d, e, f});
        Arbitrary<Double> confidences = Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, 0.9, 1.0));
        return Combinators.combine(head, confidences, texts, texts.list().ofMaxSize(3), evidence, times)
                .as((h, c, summary, advice, ev, at) -> new DiagnosisEvent((String) h[0], (Long) h[1], (Long) h[2],
                        (Diagnosis) h[3], (Diagnosis) h[4], (Long) h[5], c, summary, advice, ev, at));
    }

    @Property(tries = 3000, seed = "1011")
    void anyDiagnosisEvent(@ForAll("diagnosisEvents") DiagnosisEvent e) {
        sameAsTheTree(e);
    }

    @Property(tries = 3000, seed = "1010")
    void anyStatus(@ForAll("statuses") RunStatus s) {
        sameAsTheTree(s);
    }
}
