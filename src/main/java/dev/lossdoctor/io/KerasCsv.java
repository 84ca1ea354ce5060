package dev.lossdoctor.io;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.TrainingEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A Keras CSVLogger file: a header ({@code epoch,loss,val_loss,...}, Keras writes the keys sorted
 * after {@code epoch}) and one row per epoch, Keras' own 0-based epoch as written. Read row by row.
 * The chosen losses ({@link LossNames}: {@code loss} and {@code val_loss}) become {@code train_loss}
 * and {@code val_loss}; the other columns keep their names ({@code acc} read as
 * {@code train_accuracy}...). An empty cell is a non-finite value. A file appended by a second
 * training (an epoch not after the one before it) is a restart, as in {@link RunLog#emit}. The file
 * holds the whole run, so it ends with {@code run_finished}.
 */
final class KerasCsv {

    private KerasCsv() {
    }

    static void read(Path file, String runId, LossNames names, Consumer<TrainingEvent> events,
                     Consumer<EventFiles.Problem> problems) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            while (header != null && header.isBlank()) {
                header = in.readLine();
            }
            if (header == null) {
                return;
            }
            List<String> cols = CsvRows.split(header.strip().replace("\uFEFF", ""));
            String[] raw = cols.stream().map(String::strip).toArray(String[]::new);
            int epochColumn = -1;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i].equalsIgnoreCase("epoch")) {
                    epochColumn = i;
                }
            }
            if (epochColumn < 0) {
                problems.accept(new EventFiles.Problem(file, 1, "neither JSON Lines nor a CSVLogger file with an 'epoch' column"));
                return;
            }
            LossNames.Choice choice = names.choose(java.util.Arrays.stream(raw).filter(n -> !n.isEmpty()
                    && !n.equalsIgnoreCase("epoch")).toList());
            String[] metric = new String[raw.length];
            for (int i = 0; i < raw.length; i++) {
                metric[i] = i == epochColumn || raw[i].isEmpty() ? null
                        : raw[i].equals(choice.train()) ? "train_loss"
                        : raw[i].equals(choice.val()) ? "val_loss"
                        : EventParser.canonicalName(raw[i]);
            }
            for (int i = 0; i < raw.length; i++) { // a column the rules passed over never poses as the chosen loss
                if (metric[i] != null && !raw[i].equals(choice.train()) && !raw[i].equals(choice.val())
                        && (metric[i].equals("train_loss") && choice.train() != null
                            || metric[i].equals("val_loss") && choice.val() != null)) {
                    metric[i] = null;
                }
            }
            long lineNo = 1;
            Long lastEpoch = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> cells = CsvRows.split(line.strip());
                if (cells.size() != raw.length) {
                    problems.accept(new EventFiles.Problem(file, lineNo, "expected " + raw.length + " columns, found " + cells.size()));
                    continue;
                }
                try {
                    long epoch = Long.parseLong(cells.get(epochColumn).strip());
                    if (epoch < 0) {
                        throw new NumberFormatException("negative epoch");
                    }
                    Map<String, Double> metrics = new HashMap<>();
                    for (int i = 0; i < cells.size(); i++) {
                        if (metric[i] != null) {
                            metrics.put(metric[i], EventFiles.number(cells.get(i)));
                        }
                    }
                    if (lastEpoch != null && epoch <= lastEpoch) { // one row an epoch: a second training
                        events.accept(RunLog.resumeBefore(runId, null, epoch, null));
                    }
                    events.accept(new MetricsReported(runId, epoch, null, null, metrics));
                    lastEpoch = epoch;
                } catch (NumberFormatException e) {
                    problems.accept(new EventFiles.Problem(file, lineNo, "not a number: " + e.getMessage()));
                }
            }
            if (lastEpoch != null) {
                events.accept(new RunFinished(runId, lastEpoch, "completed", null));
            }
        }
    }
}
