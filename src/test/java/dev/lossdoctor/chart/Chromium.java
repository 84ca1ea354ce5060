package dev.lossdoctor.chart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Real headless Chromium (Debian's {@code chromium}), one process per page, as a person's browser. */
final class Chromium {

    static final Path BINARY = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    static final String WINDOW = "1400,2000";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path work;

    Chromium(Path work) {
        this.work = work;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** A screenshot of the page's first {@link #WINDOW} pixels. */
    Path screenshot(String url, String name) throws IOException, InterruptedException {
        Path png = work.resolve(name + ".png");
        run(url, "--screenshot=" + png, "--hide-scrollbars");
        if (Files.isDirectory(Path.of("target")) && Files.exists(png)) { // kept for a person (and CI) to look at
            Path kept = Files.createDirectories(Path.of("target", "chromium-screenshots")).resolve(name + ".png");
            Files.copy(png, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return png;
    }

    /** The DOM after the page loaded (and, for a page with scripts, after {@code budgetMillis} of its time). */
    String dumpDom(String url, int budgetMillis) throws IOException, InterruptedException {
        List<String> extra = new ArrayList<>(List.of("--dump-dom"));
        if (budgetMillis > 0) {
            extra.add("--virtual-time-budget=" + budgetMillis);
        }
        return run(url, extra.toArray(String[]::new));
    }

    private String run(String url, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile-");
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--user-data-dir=" + profile, "--window-size=" + WINDOW));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        Path out = work.resolve("chromium-" + System.nanoTime() + ".out");
        Path err = work.resolve("chromium-" + System.nanoTime() + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("Chromium exited with " + p.exitValue() + ": " + Files.readString(err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
