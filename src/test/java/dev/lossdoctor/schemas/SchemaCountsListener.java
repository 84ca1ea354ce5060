package dev.lossdoctor.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * After each test class, the {@link SchemaChecks} it made: printed in one line, and written to
 * {@code target/schema-validations/<class>.txt} (name, tab, count); after the run, the sum over
 * every integration test's file there ({@code *IT.txt}, this run's and earlier runs') in
 * {@code all-ITs.txt}. Registered through {@code META-INF/services}, so no test class has to ask for it.
 */
public final class SchemaCountsListener implements TestExecutionListener {

    static final Path DIR = Path.of("target", "schema-validations");
    static final String ALL = "all-ITs.txt";

    private final Map<String, Map<String, Long>> before = new LinkedHashMap<>();

    @Override
    public void executionStarted(TestIdentifier id) {
        className(id).ifPresent(c -> before.put(c, SchemaChecks.counts()));
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        className(id).ifPresent(c -> {
            Map<String, Long> made = new TreeMap<>();
            Map<String, Long> start = before.getOrDefault(c, Map.of());
            SchemaChecks.counts().forEach((what, n) -> {
                long delta = n - start.getOrDefault(what, 0L);
                if (delta > 0) {
                    made.put(what, delta);
                }
            });
            if (made.isEmpty()) {
                return;
            }
            String simple = c.substring(c.lastIndexOf('.') + 1);
            System.out.println("schema-validated by " + simple + ": " + made.entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")));
            write(DIR.resolve(simple + ".txt"), made);
        });
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (!Files.isDirectory(DIR)) {
            return;
        }
        Map<String, Long> sum = new TreeMap<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith("IT.txt")).sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String[] kv = line.split("\t");
                    if (kv.length == 2) {
                        sum.merge(kv[0], Long.parseLong(kv[1]), Long::sum);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("schema-validations: can't sum " + DIR + ": " + e);
            return;
        }
        write(DIR.resolve(ALL), sum);
    }

    private static java.util.Optional<String> className(TestIdentifier id) {
        return id.getSource().filter(ClassSource.class::isInstance).map(s -> ((ClassSource) s).getClassName());
    }

    private static void write(Path file, Map<String, Long> counts) {
        try {
            Files.createDirectories(file.getParent());
            List<String> lines = counts.entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue()).toList();
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
