package dev.lossdoctor.io;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.tensorboard.DataType;
import dev.lossdoctor.io.tensorboard.Event;
import dev.lossdoctor.io.tensorboard.Summary;
import dev.lossdoctor.io.tensorboard.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A TensorBoard run: the {@code events.out.tfevents.*} files of one folder, and of its {@code train/}
 * and {@code validation/} folders when Keras wrote it (their tags then read as {@code train/epoch_loss},
 * {@code validation/epoch_loss}). Scalars come from {@code simple_value} (PyTorch, Lightning, TF1) and
 * from scalar tensor summaries (TF2 and Keras: {@code float_val}, {@code double_val} or
 * {@code tensor_content}). Only the series that can be losses are kept, so memory grows with the
 * number of loss values, not with the files' size. Points as {@link Pairing} makes them.
 */
final class TensorBoardRun {

    private TensorBoardRun() {
    }

    static void read(Path unit, String runId, LossNames names, Consumer<TrainingEvent> events,
                     Consumer<EventFiles.Problem> problems) throws IOException {
        Map<Path, String> files = files(unit);
        TreeSet<String> tags = new TreeSet<>();
        Map<String, Series> kept = new LinkedHashMap<>();
        Map<String, Boolean> scalarTag = new HashMap<>();
        double[] firstWallTime = {Double.NaN};
        for (Map.Entry<Path, String> f : files.entrySet()) {
            String prefix = f.getValue();
            boolean[] saidNotAnEvent = {false};
            TfRecords.read(f.getKey(), data -> {
                Event e;
                try {
                    e = Event.parseFrom(data);
                } catch (InvalidProtocolBufferException ex) {
                    if (!saidNotAnEvent[0]) { // once per file: a file of other records would say it at every one
                        saidNotAnEvent[0] = true;
                        problems.accept(EventFiles.Problem.ofFile(f.getKey(), "records that are no TensorBoard events: skipped"));
                    }
                    return;
                }
                if (Double.isNaN(firstWallTime[0]) && e.getWallTime() > 0) {
                    firstWallTime[0] = e.getWallTime();
                }
                if (!e.hasSummary()) {
                    return;
                }
                for (Summary.Value v : e.getSummary().getValueList()) {
                    String name = prefix + v.getTag();
                    if (v.hasMetadata() && v.getMetadata().hasPluginData()) { // written with a tag's first value only
                        String plugin = v.getMetadata().getPluginData().getPluginName();
                        scalarTag.put(name, plugin.isEmpty() || plugin.equals("scalars"));
                    }
                    if (!(v.hasSimpleValue() || scalarTensor(v)) || !scalarTag.getOrDefault(name, true)) {
                        continue; // an image, a histogram, text...
                    }
                    double value = scalar(v);
                    tags.add(name);
                    if (LossNames.mayBeLoss(name) || names.named(name)) {
                        kept.computeIfAbsent(name, Series::new).add(e.getStep(), value, (long) (e.getWallTime() * 1000));
                    }
                }
            }, problems);
        }
        LossNames.Choice choice = names.choose(kept.keySet());
        if (choice.none()) {
            problems.accept(EventFiles.Problem.ofFile(unit, tags.isEmpty() ? "no scalars in the TensorBoard files"
                    : "no training or validation loss among the scalars " + tags
                    + ": name them with --train-metric and --val-metric"));
            return;
        }
        RunLog run = new RunLog(runId);
        if (!Double.isNaN(firstWallTime[0])) {
            run.startedAt = Instant.ofEpochMilli((long) (firstWallTime[0] * 1000));
        }
        Series train = rename(kept.get(choice.train()), "train_loss");
        Series val = rename(kept.get(choice.val()), "val_loss");
        Pairing.pair(train, val, run);
        run.finish(null, null);
        run.emit(events);
    }

    private static Series rename(Series s, String name) {
        if (s == null) {
            return null;
        }
        Series r = new Series(name);
        for (int i = 0; i < s.size(); i++) {
            r.add(s.x(i), s.value(i), s.millis(i));
        }
        return r;
    }

    /** The event files of a run folder (prefix "") and of its Keras split folders (prefix "train/"...), sorted. */
    private static Map<Path, String> files(Path unit) throws IOException {
        Map<Path, String> files = new LinkedHashMap<>();
        if (!Files.isDirectory(unit)) {
            files.put(unit, "");
            return files;
        }
        List<Path> children;
        try (Stream<Path> s = Files.list(unit)) {
            children = s.sorted().toList();
        }
        List<Path> subfolders = new ArrayList<>();
        for (Path c : children) {
            if (EventFiles.isTensorBoardFile(c)) {
                files.put(c, "");
            } else if (Files.isDirectory(c) && EventFiles.isSplitFolder(c)) {
                subfolders.add(c);
            }
        }
        for (Path d : subfolders) {
            try (Stream<Path> s = Files.list(d)) {
                s.filter(EventFiles::isTensorBoardFile).sorted().forEach(f -> files.put(f, d.getFileName() + "/"));
            }
        }
        return files;
    }

    private static boolean scalarTensor(Summary.Value v) {
        if (!v.hasTensor()) {
            return false;
        }
        TensorProto t = v.getTensor();
        long elements = 1;
        for (var d : t.getTensorShape().getDimList()) {
            elements *= d.getSize();
        }
        return elements == 1 && switch (t.getDtype()) {
            case DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16, DT_INT32, DT_INT64 -> true;
            default -> false;
        };
    }

    /** A summary value's number: its simple_value, or its scalar tensor's single element; NaN when neither. */
    static double scalar(Summary.Value v) {
        if (v.hasSimpleValue()) {
            return v.getSimpleValue();
        }
        if (!scalarTensor(v)) {
            return Double.NaN;
        }
        TensorProto t = v.getTensor();
        ByteBuffer content = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        DataType type = t.getDtype();
        return switch (type) {
            case DT_FLOAT -> t.getFloatValCount() > 0 ? t.getFloatVal(0) : content.remaining() >= 4 ? content.getFloat(0) : Double.NaN;
            case DT_DOUBLE -> t.getDoubleValCount() > 0 ? t.getDoubleVal(0) : content.remaining() >= 8 ? content.getDouble(0) : Double.NaN;
            case DT_HALF -> half(t.getHalfValCount() > 0 ? t.getHalfVal(0) : content.remaining() >= 2 ? content.getShort(0) : 0x7e00);
            case DT_BFLOAT16 -> Float.intBitsToFloat((t.getHalfValCount() > 0 ? t.getHalfVal(0)
                    : content.remaining() >= 2 ? content.getShort(0) : 0x7fc0) << 16);
            case DT_INT32 -> t.getIntValCount() > 0 ? t.getIntVal(0) : content.remaining() >= 4 ? content.getInt(0) : Double.NaN;
            case DT_INT64 -> t.getInt64ValCount() > 0 ? t.getInt64Val(0) : content.remaining() >= 8 ? content.getLong(0) : Double.NaN;
            default -> Double.NaN;
        };
    }

    /** An IEEE 754 half-precision number (its 16 bits in the low bits of {@code bits}). */
    static float half(int bits) {
        int sign = (bits >>> 15) & 1, exponent = (bits >>> 10) & 0x1f, fraction = bits & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = fraction * 0x1p-24f;
        } else if (exponent == 31) {
            magnitude = fraction == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = Float.intBitsToFloat(((exponent - 15 + 127) << 23) | (fraction << 13));
        }
        return sign == 1 ? -magnitude : magnitude;
    }
}
