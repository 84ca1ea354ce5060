package dev.lossdoctor.chart;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** Event files of made-up but realistic runs, written by the tests themselves (no shared data needed). */
final class TestCurves {

    private TestCurves() {
    }

    /**
     * Four runs in one JSON Lines file: one overfitting (with accuracy, and a run id that needs
     * escaping), one diverging into NaN, one noisy run reported per step, one stuck on a plateau.
     */
    static Path fourRuns(Path dir) throws IOException {
        Path file = dir.resolve("four-runs.jsonl");
        Random noise = new Random(7);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            String over = "overfit <b>&amp;\\\"x\\\"";
            w.write(line("{\"type\":\"run_started\",\"run_id\":\"%s\",\"config\":{\"optimizer\":\"adam\"}}", over));
            for (int e = 1; e <= 60; e++) {
                double train = 2.3 * Math.exp(-e / 6.0) + 0.02 + 0.004 * noise.nextGaussian();
                double val = 2.3 * Math.exp(-e / 5.0) + 0.45 + (e > 15 ? 0.018 * (e - 15) : 0) + 0.01 * noise.nextGaussian();
                w.write(line("{\"run_id\":\"%s\",\"epoch\":%d,\"metrics\":{\"train_loss\":%.5f,\"val_loss\":%.5f,"
                        + "\"train_accuracy\":%.4f,\"val_accuracy\":%.4f}}", over, e, train, val,
                        Math.min(0.999, 1 - train / 2.5), Math.min(0.9, 0.85 - val / 6)));
            }
            w.write(line("{\"type\":\"run_finished\",\"run_id\":\"%s\",\"epoch\":60}", over));

            for (int e = 1; e <= 30; e++) {
                String v = e > 26 ? "NaN" : fmt(e <= 8 ? 1.5 * Math.exp(-e / 4.0) + 0.2 : 0.4 * Math.exp((e - 8) / 2.0));
                String t = e > 26 ? "NaN" : fmt(e <= 8 ? 1.4 * Math.exp(-e / 4.0) + 0.15 : 0.3 * Math.exp((e - 8) / 2.1));
                w.write(line("{\"run_id\":\"diverging\",\"epoch\":%d,\"train_loss\":%s,\"val_loss\":%s}", e, t, v));
            }

            for (int s = 1; s <= 600; s++) {
                double base = 0.8 * Math.exp(-s / 150.0) + 0.3;
                w.write(line("{\"run_id\":\"noisy-steps\",\"epoch\":%d,\"step\":%d,\"train_loss\":%s,\"val_loss\":%s}",
                        1 + (s - 1) / 100, s * 10, fmt(base * (1 + 0.6 * Math.abs(noise.nextGaussian()))),
                        fmt(base * (1.1 + 0.3 * Math.abs(noise.nextGaussian())))));
            }

            for (int e = 1; e <= 50; e++) {
                double loss = e <= 8 ? 2.3 - 0.06 * e : 1.82 + 0.0005 * noise.nextGaussian();
                w.write(line("{\"run_id\":\"plateau\",\"epoch\":%d,\"loss\":%s,\"val_loss\":%s}", e, fmt(loss), fmt(loss + 0.03)));
            }
        }
        return file;
    }

    /** {@code runs} runs of {@code epochs} epochs each, in the shapes TaskSet has: falling, flat at chance, exploding. */
    static Path manyRuns(Path dir, int runs, int epochs) throws IOException {
        Path file = dir.resolve("many-runs.jsonl");
        Random noise = new Random(11);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int r = 0; r < runs; r++) {
                String id = String.format(Locale.ROOT, "task%02d/cfg%04d", r % 12, r);
                int shape = r % 5;
                for (int e = 0; e < epochs; e++) {
                    double t = switch (shape) {
                        case 0, 1 -> 0.69 * Math.exp(-e / 15.0) + 0.25;
                        case 2 -> 0.6931 + 0.0003 * noise.nextGaussian();
                        case 3 -> e < 10 ? 0.69 - 0.01 * e : Math.pow(10, Math.min(18, e - 10));
                        default -> 0.5 + 0.1 * Math.sin(e) + 0.05 * noise.nextGaussian();
                    };
                    w.write(line("{\"run_id\":\"%s\",\"epoch\":%d,\"metrics\":{\"train_loss\":%s,\"val_loss\":%s}}",
                            id, e, fmt(t), fmt(t * (1.02 + 0.01 * noise.nextGaussian()))));
                }
            }
        }
        return file;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String line(String format, Object... args) {
        return String.format(Locale.ROOT, format, args) + "\n";
    }
}
