package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link RunAnalyzer#spentSinceMark} is {@link StopAdvice.Spent#growth} of the run's {@link
 * RunState#afterStopAdvice} before and after each update, whenever that growth counts (more epochs
 * or seconds), and null otherwise: over every event of the corpus, with its times and without.
 */
class SpentSinceMarkTest {

    @Test
    void theGrowthOfTheFiguresAfterEveryEventOfTheCorpus() throws IOException {
        for (boolean timed : new boolean[] {true, false}) {
            EventParser parser = new EventParser();
            RunAnalyzer analyzer = new RunAnalyzer();
            int grew = 0, events = 0;
            try (Stream<Path> files = Files.list(Path.of("bench/corpus"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                    Map<String, RunState> runs = new HashMap<>();
                    for (String line : Files.readAllLines(f)) {
                        if (!timed) {
                            line = line.replaceAll("\"timestamp\":\"[^\"]*\",?", "");
                        }
                        if (parser.parse(null, line.getBytes(StandardCharsets.UTF_8), Instant.EPOCH)
                                instanceof ParseResult.Accepted a) {
                            RunState state = runs.computeIfAbsent(a.event().runId(), RunState::new);
                            StopAdvice.Spent before = state.afterStopAdvice();
                            analyzer.markSpent(state);
                            analyzer.apply(state, a.event());
                            StopAdvice.Spent growth = StopAdvice.Spent.growth(before, state.afterStopAdvice());
                            boolean counts = growth != null
                                    && (growth.epochs() > 0 || (growth.seconds() != null && growth.seconds() > 0));
                            assertThat(analyzer.spentSinceMark(state)).isEqualTo(counts ? growth : null);
                            grew += counts ? 1 : 0;
                            events++;
                        }
                    }
                }
            }
            assertThat(events).isGreaterThan(5_000);
            assertThat(grew).isGreaterThan(100);
        }
    }
}
