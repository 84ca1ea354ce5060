package dev.lossdoctor.core;

import java.util.Locale;

/** Which metrics are minimized and which maximized, by name (DESIGN.md section 2). */
public final class MetricNames {

    private static final String[] MINIMIZED = {"loss", "error", "mse", "mae", "perplexity"};
    private static final String[] MAXIMIZED = {"accuracy", "auc", "f1", "precision", "recall", "iou"};

    private MetricNames() {
    }

    /** -1 for a metric that should fall, +1 for one that should rise, 0 when the name does not say. */
    public static int direction(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String s : MINIMIZED) {
            if (n.contains(s)) {
                return -1;
            }
        }
        for (String s : MAXIMIZED) {
            if (n.contains(s)) {
                return 1;
            }
        }
        return 0;
    }
}
