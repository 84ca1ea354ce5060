package dev.lossdoctor.core;

/**
 * What a run's {@code run_started} event says about it. Every field is optional (null when the
 * trainer did not say).
 */
public record RunConfig(
        String optimizer,
        Double lr,
        Integer batchSize,
        String task,
        String loss,
        String outputActivation,
        String hiddenActivation,
        Integer maxEpochs,
        Integer numClasses,
        String model,
        String dataset) {

    public static final RunConfig EMPTY = new RunConfig(null, null, null, null, null, null, null, null, null, null, null);

    /** The most characters of a config string a run's state keeps: names, not data, so its size stays bounded. */
    public static final int MAX_CHARS = 64;

    /** This config with every string cut to {@code max} characters. */
    public RunConfig clipped(int max) {
        return new RunConfig(clip(optimizer, max), lr, batchSize, clip(task, max), clip(loss, max), clip(outputActivation, max),
                clip(hiddenActivation, max), maxEpochs, numClasses, clip(model, max), clip(dataset, max));
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
