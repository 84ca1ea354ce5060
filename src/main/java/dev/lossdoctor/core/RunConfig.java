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
}
