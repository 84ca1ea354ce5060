package dev.lossdoctor.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.lossdoctor.core.TrainingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A Hugging Face Trainer {@code trainer_state.json}, recognised by its {@code log_history}, whatever
 * the file is called. One point per evaluation ({@code eval_loss}), in log order, carrying the latest
 * training loss, learning rate and gradient norm logged at or before its step (training loss is logged
 * more often than evaluation); a second evaluation at a step already seen (the {@code evaluate()} after
 * training) is left out. {@code eval_*} metrics become {@code val_*} (runtime and throughput left out).
 * A log with no evaluation gives one point per training-loss entry. Read twice, as a stream each time
 * (names, then points), so a long log is never held whole.
 */
final class HfTrainerState {

    private static final Set<String> NOT_METRICS = Set.of("epoch", "step", "total_flos", "num_input_tokens_seen");
    private static final Set<String> THROUGHPUT = Set.of("runtime", "samples_per_second", "steps_per_second");
    /** Top-level fields read as config, with DESIGN's names where they differ (see {@link RunLog#param}). */
    private static final Set<String> CONFIG = Set.of("train_batch_size", "num_train_epochs", "max_steps", "eval_steps",
            "logging_steps", "save_steps");

    private HfTrainerState() {
    }

    /** True when {@code file} is a JSON object with a top-level {@code log_history} array; reads only up to it. */
    static boolean recognise(Path file) {
        try (JsonParser p = EventFiles.LOGS.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                if (p.nextToken() == JsonToken.START_ARRAY && name.equals("log_history")) {
                    return true;
                }
                p.skipChildren();
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void read(Path file, String runId, LossNames names, Consumer<TrainingEvent> events,
                     Consumer<EventFiles.Problem> problems) throws IOException {
        RunLog run = new RunLog(runId);
        run.param("framework", com.fasterxml.jackson.databind.node.TextNode.valueOf("huggingface-transformers"));
        Set<String> logged = new LinkedHashSet<>();
        Map<String, JsonNode> top = new HashMap<>();
        forEachEntry(file, entry -> {
            if (!summary(entry)) {
                entry.fieldNames().forEachRemaining(n -> {
                    if (!NOT_METRICS.contains(n) && entry.get(n).isNumber()) {
                        logged.add(n);
                    }
                });
            }
        }, top);
        LossNames.Choice choice = names.choose(logged);
        if (choice.none()) {
            problems.accept(EventFiles.Problem.ofFile(file, "no training or validation loss among the logged metrics "
                    + logged + ": name them with --train-metric and --val-metric"));
            return;
        }
        for (String f : CONFIG) {
            run.param(f, top.get(f));
        }
        modelConfig(file, run);
        double[] maxLr = {Double.NaN};
        Map<String, Double> latest = new HashMap<>(); // training side: latest value of each, in log order
        Map<String, Double> latestStep = new HashMap<>();
        Set<Double> evaluatedSteps = new HashSet<>();
        double[] lastEpoch = {Double.NEGATIVE_INFINITY}, lastStep = {Double.NEGATIVE_INFINITY};
        forEachEntry(file, entry -> {
            if (summary(entry)) {
                return;
            }
            Double step = number(entry.get("step"));
            Double epoch = number(entry.get("epoch"));
            if (epoch != null) {
                // the log goes on after a resume (epoch and step went back): a new training, read afresh (RunLog#emit)
                if (epoch < lastEpoch[0] && (step == null || step < lastStep[0])) {
                    evaluatedSteps.clear();
                    latest.clear();
                    latestStep.clear();
                }
                lastEpoch[0] = epoch;
            }
            if (step != null) {
                lastStep[0] = step;
            }
            keepTraining(entry, choice, "learning_rate", "lr", step, latest, latestStep);
            keepTraining(entry, choice, "grad_norm", "grad_norm", step, latest, latestStep);
            if (choice.train() != null) {
                keepTraining(entry, choice, choice.train(), "train_loss", step, latest, latestStep);
            }
            Double lr = number(entry.get("learning_rate"));
            if (lr != null && !(lr <= maxLr[0])) {
                maxLr[0] = lr;
            }
            boolean evaluation = choice.val() != null && entry.has(choice.val());
            boolean trainOnly = choice.val() == null && choice.train() != null && entry.has(choice.train());
            if (!evaluation && !trainOnly) {
                return;
            }
            if (evaluation && step != null && !evaluatedSteps.add(step)) {
                return; // evaluate() after training, at the last step again
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (evaluation) {
                for (Map.Entry<String, JsonNode> f : entry.properties()) {
                    String n = f.getKey();
                    if (n.startsWith("eval_") && f.getValue().isNumber() && !THROUGHPUT.contains(n.substring(5))) {
                        metrics.put("val_" + n.substring(5).toLowerCase(java.util.Locale.ROOT), f.getValue().doubleValue());
                    }
                }
                metrics.put("val_loss", value(entry.get(choice.val())));
            }
            latest.forEach((n, v) -> {
                Double at = latestStep.get(n);
                if (step == null || at == null || at <= step) {
                    metrics.put(n, v);
                }
            });
            run.add(epoch, step == null ? null : (long) step.doubleValue(), null, metrics);
        }, null);
        if (!Double.isNaN(maxLr[0])) {
            run.param("lr", DoubleNode.valueOf(maxLr[0])); // the base rate is not in the file: the highest one logged
        }
        Double global = number(top.get("global_step")), max = number(top.get("max_steps"));
        run.finish(global != null && max != null && max > 0 && global >= max ? "completed" : "stopped", null);
        run.emit(events);
    }

    /** Tasks by the end of a Transformers architecture's name ({@code BertForSequenceClassification}). */
    private static final Map<String, String> TASKS = new LinkedHashMap<>();

    static {
        TASKS.put("ForSequenceClassification", "classification");
        TASKS.put("ForImageClassification", "image_classification");
        TASKS.put("ForAudioClassification", "audio_classification");
        TASKS.put("ForTokenClassification", "token_classification");
        TASKS.put("ForMultipleChoice", "classification");
        TASKS.put("ForQuestionAnswering", "question_answering");
        TASKS.put("ForCausalLM", "language_modeling");
        TASKS.put("ForMaskedLM", "language_modeling");
        TASKS.put("LMHeadModel", "language_modeling");
        TASKS.put("ForCTC", "speech_recognition");
        TASKS.put("ForSpeechSeq2Seq", "speech_recognition");
        TASKS.put("Segmentation", "segmentation");
    }

    /**
     * The model's {@code config.json} beside the trainer state (a checkpoint folder has both): the
     * architecture as the model, the task its name says, the number of labels as the classes.
     */
    private static void modelConfig(Path file, RunLog run) {
        Path json = file.toAbsolutePath().getParent().resolve("config.json");
        if (!Files.isRegularFile(json) || json.equals(file.toAbsolutePath())) {
            return;
        }
        try {
            JsonNode c = EventFiles.LOGS.readTree(json.toFile());
            String architecture = c.path("architectures").path(0).asText("");
            if (!architecture.isEmpty()) {
                run.param("model", com.fasterxml.jackson.databind.node.TextNode.valueOf(architecture));
                TASKS.entrySet().stream().filter(t -> architecture.endsWith(t.getKey()) || architecture.contains(t.getKey() + "s"))
                        .findFirst().ifPresent(t -> run.param("task", com.fasterxml.jackson.databind.node.TextNode.valueOf(t.getValue())));
            }
            run.param("model_type", c.get("model_type"));
            if (c.path("id2label").isObject() && c.get("id2label").size() > 1) {
                run.param("num_classes", com.fasterxml.jackson.databind.node.IntNode.valueOf(c.get("id2label").size()));
            }
        } catch (IOException | RuntimeException e) {
            // the model's config is advice: the curves still count without it
        }
    }

    /** The entry the Trainer adds when training ends (its mean {@code train_loss}, runtimes): no point of the curve. */
    private static boolean summary(JsonNode entry) {
        return entry.has("train_runtime");
    }

    private static void keepTraining(JsonNode entry, LossNames.Choice choice, String field, String as, Double step,
                                     Map<String, Double> latest, Map<String, Double> latestStep) {
        JsonNode v = entry.get(field);
        if (v != null && (v.isNumber() || v.isTextual()) && !field.equals(choice.val())) {
            latest.put(as, value(v));
            if (step != null) {
                latestStep.put(as, step);
            } else {
                latestStep.remove(as);
            }
        }
    }

    /** Walks the log_history entries as small trees; with {@code top} non-null, also keeps the top-level scalars. */
    private static void forEachEntry(Path file, Consumer<JsonNode> entries, Map<String, JsonNode> top) throws IOException {
        try (JsonParser p = EventFiles.LOGS.createParser(Files.newInputStream(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_ARRAY && name.equals("log_history")) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        entries.accept(p.readValueAsTree());
                    }
                } else if (t.isScalarValue() && top != null) {
                    top.put(name, p.readValueAsTree());
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private static Double number(JsonNode v) {
        return v != null && v.isNumber() ? v.doubleValue() : null;
    }

    /** A logged value: a number, or NaN and Infinity as Python's json writes them (bare, or as strings). */
    private static double value(JsonNode v) {
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        return EventFiles.number(v.asText());
    }
}
