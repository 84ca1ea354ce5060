package dev.lossdoctor.streams;

import java.time.Instant;
import java.util.Locale;

/** Input events as trainers write them (DESIGN.md section 2), for tests. */
public final class Events {

    private Events() {
    }

    public static String runStarted(String runId, Instant at, String configJson) {
        return String.format(Locale.ROOT, "{\"type\":\"run_started\",\"run_id\":\"%s\",\"timestamp\":\"%s\",\"config\":%s}",
                runId, at, configJson);
    }

    public static String runStarted(String runId, Instant at) {
        return runStarted(runId, at, "{\"optimizer\":\"adam\",\"lr\":0.001,\"hidden_activation\":\"relu\"}");
    }

    /** A metrics point; a non-finite loss is written bare (NaN, Infinity), as Python's json writes it. */
    public static String metrics(String runId, long epoch, double trainLoss, double valLoss, Instant at) {
        return String.format(Locale.ROOT,
                "{\"type\":\"metrics\",\"run_id\":\"%s\",\"epoch\":%d,\"timestamp\":\"%s\",\"metrics\":{\"train_loss\":%s,\"val_loss\":%s}}",
                runId, epoch, at, number(trainLoss), number(valLoss));
    }

    public static String runFinished(String runId, long epoch, Instant at) {
        return String.format(Locale.ROOT, "{\"type\":\"run_finished\",\"run_id\":\"%s\",\"epoch\":%d,\"status\":\"completed\",\"timestamp\":\"%s\"}",
                runId, epoch, at);
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return Double.toString(v);
    }

    /** A curve that learns then overfits: training loss keeps falling, validation loss bottoms out at epoch 12 and rises. */
    public static double trainLoss(long epoch) {
        return 2.0 * Math.exp(-0.12 * epoch) + 0.05 + 0.01 * Math.sin(epoch * 1.7);
    }

    public static double valLoss(long epoch) {
        return 0.6 + 0.004 * (epoch - 12) * (epoch - 12) + 0.01 * Math.cos(epoch * 2.3);
    }
}
