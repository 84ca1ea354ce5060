package dev.lossdoctor.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lossdoctor.core.TrainingEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A PyTorch Lightning CSVLogger {@code metrics.csv}: {@code epoch} and {@code step} columns, and
 * training and validation values on separate rows (an empty cell is a value not logged on that row,
 * not a NaN). One point per row with a validation loss, carrying the latest training values whose step
 * is at or before that row's: Lightning writes the epoch-end training loss on the row after the
 * validation row, with the same step, so pairing by file order would give the previous epoch's.
 * The row's other validation columns come along ({@code val_acc} as {@code val_accuracy}, {@code
 * val_mse}...), and the training accuracy and the learning rate ({@code lr-Adam}, LearningRateMonitor's)
 * as the training loss does. {@code hparams.yaml} beside the file is the run's config.
 */
final class LightningCsv {

    private static final Set<String> TRAIN_ACCURACY = Set.of("train_acc_epoch", "train_accuracy_epoch", "train_acc",
            "train_accuracy", "acc", "accuracy");

    private LightningCsv() {
    }

    private record ValRow(Long epoch, long step, Map<String, Double> metrics) {
    }

    static void read(Path file, String runId, LossNames names, Consumer<TrainingEvent> events,
                     Consumer<EventFiles.Problem> problems) throws IOException {
        RunLog run = new RunLog(runId);
        run.param("framework", TextNode.valueOf("pytorch-lightning"));
        hparams(file, run);
        List<ValRow> valRows = new ArrayList<>();
        Map<String, Series> training = new LinkedHashMap<>(); // canonical name -> values by step
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            List<String> cols = CsvRows.split(header.strip().replace("\uFEFF", "")).stream().map(String::strip).toList();
            int epochCol = indexOf(cols, "epoch"), stepCol = indexOf(cols, "step");
            List<String> metricCols = cols.stream().filter(c -> !c.isEmpty() && !c.equalsIgnoreCase("epoch")
                    && !c.equalsIgnoreCase("step")).toList();
            LossNames.Choice choice = names.choose(metricCols);
            if (choice.none()) {
                problems.accept(EventFiles.Problem.ofFile(file, "no training or validation loss among the columns "
                        + metricCols + ": name them with --train-metric and --val-metric"));
                return;
            }
            String[] trainAs = new String[cols.size()]; // the training-side columns kept, by their canonical name
            boolean[] valSide = new boolean[cols.size()];
            String accuracy = cols.stream().filter(c -> TRAIN_ACCURACY.contains(c.toLowerCase(Locale.ROOT)))
                    .min(java.util.Comparator.comparingInt(c -> List.copyOf(TRAIN_ACCURACY).indexOf(c.toLowerCase(Locale.ROOT))))
                    .orElse(null);
            String lr = cols.stream().filter(c -> c.toLowerCase(Locale.ROOT).startsWith("lr-") || c.equalsIgnoreCase("lr")
                    || c.equalsIgnoreCase("learning_rate")).findFirst().orElse(null);
            int valCol = choice.val() == null ? -1 : cols.indexOf(choice.val());
            for (int i = 0; i < cols.size(); i++) {
                String c = cols.get(i);
                if (c.equals(choice.train())) {
                    trainAs[i] = "train_loss";
                } else if (c.equals(accuracy)) {
                    trainAs[i] = "train_accuracy";
                } else if (c.equals(lr)) {
                    trainAs[i] = "lr";
                } else if (i != valCol && !c.isEmpty() && LossNames.words(c).stream().anyMatch(LossNames::validationWord)) {
                    valSide[i] = true;
                }
            }
            long lineNo = 1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> cells = CsvRows.split(line.strip());
                if (cells.size() != cols.size()) {
                    problems.accept(new EventFiles.Problem(file, lineNo, "expected " + cols.size() + " columns, found " + cells.size()));
                    continue;
                }
                try {
                    String stepCell = cells.get(stepCol).strip();
                    long step = stepCell.isEmpty() ? lineNo : (long) Double.parseDouble(stepCell);
                    String epochCell = epochCol < 0 ? "" : cells.get(epochCol).strip();
                    Long epoch = epochCell.isEmpty() ? null : (long) Double.parseDouble(epochCell);
                    for (int i = 0; i < cells.size(); i++) {
                        if (trainAs[i] != null && !cells.get(i).isBlank()) {
                            training.computeIfAbsent(trainAs[i], Series::new).add(step, EventFiles.number(cells.get(i)), 0);
                        }
                    }
                    if (valCol >= 0 && !cells.get(valCol).isBlank()) {
                        Map<String, Double> metrics = new LinkedHashMap<>();
                        metrics.put("val_loss", EventFiles.number(cells.get(valCol)));
                        for (int i = 0; i < cells.size(); i++) {
                            if (valSide[i] && !cells.get(i).isBlank()) {
                                String n = EventParser.canonicalName(cols.get(i));
                                if (!n.equals("val_loss") && !n.equals("train_loss")) {
                                    metrics.putIfAbsent(n, EventFiles.number(cells.get(i)));
                                }
                            }
                        }
                        valRows.add(new ValRow(epoch, step, metrics));
                    } else if (valCol < 0 && trainAs[cols.indexOf(choice.train())] != null
                            && !cells.get(cols.indexOf(choice.train())).isBlank()) {
                        valRows.add(new ValRow(epoch, step, new LinkedHashMap<>())); // no validation: a point per training value
                    }
                } catch (NumberFormatException e) {
                    problems.accept(new EventFiles.Problem(file, lineNo, "not a number: " + e.getMessage()));
                }
            }
        }
        training.values().forEach(Series::sortStable);
        for (ValRow r : valRows) {
            Map<String, Double> metrics = new LinkedHashMap<>(r.metrics());
            training.forEach((name, s) -> {
                int i = s.latestAtOrBefore(r.step());
                if (i >= 0) {
                    metrics.put(name, s.value(i));
                }
            });
            run.add(r.epoch() == null ? null : r.epoch().doubleValue(), r.step(), null, metrics);
        }
        run.finish("completed", null);
        run.emit(events);
    }

    private static int indexOf(List<String> cols, String name) {
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code hparams.yaml} beside the file: its top-level scalars are the config (a missing or odd file: none). */
    private static void hparams(Path file, RunLog run) {
        Path yaml = file.toAbsolutePath().getParent().resolve("hparams.yaml");
        if (!Files.isRegularFile(yaml)) {
            return;
        }
        try {
            JsonNode root = EventFiles.YAML.readTree(yaml.toFile());
            if (root != null && root.isObject()) {
                root.properties().forEach(f -> run.param(f.getKey(), f.getValue()));
            }
        } catch (IOException | RuntimeException e) {
            // hparams.yaml may hold Python objects (!!python/object tags): the config is advice, the curves still count
        }
    }
}
