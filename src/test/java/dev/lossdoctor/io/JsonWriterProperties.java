package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.Diagnosis;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The status is written field by field, without its tree; its bytes are exactly the tree's
 * ({@link Json#statusNode}), whatever the status holds: nulls, non-finite and extreme numbers,
 * any text, and the optional parts in any combination.
 */
class JsonWriterProperties {

    private static void sameAsTheTree(RunStatus s) {
        assertThat(new String(Json.statusBytes(s), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.statusTreeBytes(s), StandardCharsets.UTF_8));
    }

    /** Every status of every run of the corpus, after every event, with its curve and without. */
    @Test
    void theCorpusStatusesAfterEveryEvent() throws IOException {
        EventParser parser = new EventParser();
        RunAnalyzer analyzer = new RunAnalyzer();
        int compared = 0;
        try (Stream<Path> files = Files.list(Path.of("bench/corpus"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                Map<String, RunState> runs = new HashMap<>();
                for (String line : Files.readAllLines(f)) {
                    if (parser.parse(null, line.getBytes(StandardCharsets.UTF_8), Instant.EPOCH)
                            instanceof ParseResult.Accepted a) {
                        RunState state = runs.computeIfAbsent(a.event().runId(), RunState::new);
                        analyzer.apply(state, a.event());
                        sameAsTheTree(analyzer.status(state));
                        sameAsTheTree(analyzer.statusWithoutCurve(state));
                        compared += 2;
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(5_000);
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
        Arbitrary<Object[]> tail = Combinators.combine(curves, spent, siblings, spikes, forecasts)
                .as((a, b, c, d, e) -> new Object[] {a, b, c, d, e});
        return Combinators.combine(head, middle, tail).as(JsonWriterProperties::status);
    }

    @SuppressWarnings("unchecked")
    private static RunStatus status(Object[] h, Object[] m, Object[] t) {
        return new RunStatus((String) h[0], (Diagnosis) h[1], (Long) h[2], (Long) h[3], (Long) h[4], (Double) h[5],
                (Double) h[6], (String) h[7], (String) m[0], (Long) m[1], (Double) m[2], (String) m[3],
                (List<String>) m[4], (Boolean) m[5], (Long) m[6], (Instant) m[7], (List<RunStatus.CurvePoint>) t[0],
                (StopAdvice.Spent) t[1], (Siblings) t[2], (RunStatus.Spikes) t[3], (Forecast) t[4]);
    }

    @Property(tries = 3000, seed = "1010")
    void anyStatus(@ForAll("statuses") RunStatus s) {
        sameAsTheTree(s);
    }
}
