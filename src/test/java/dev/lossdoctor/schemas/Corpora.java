package dev.lossdoctor.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The event files the schema tests read: the shared dev runs, the project's corpus, the demo's curves. */
final class Corpora {

    /** The shared folder beside the project (CI lays it there); {@code -Dshared.dir=...} when it lives elsewhere. */
    static final Path SHARED = Path.of(System.getProperty("shared.dir", "../shared"));
    static final Path DEV = SHARED.resolve("curves/dev");
    static final Path CORPUS = Path.of("bench/corpus");
    static final Path DEMO = Path.of("src/main/resources/demo/curves");

    private Corpora() {
    }

    /** The event files of a folder: its .jsonl files but the labels. */
    static List<Path> eventFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("no folder " + dir.toAbsolutePath().normalize()
                    + " (the shared curves are expected beside the project; -Dshared.dir=... names another place)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                    .filter(f -> !f.getFileName().toString().equals("labels.jsonl"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> allEventFiles() {
        return Stream.of(DEV, CORPUS, DEMO).flatMap(d -> eventFiles(d).stream()).toList();
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
