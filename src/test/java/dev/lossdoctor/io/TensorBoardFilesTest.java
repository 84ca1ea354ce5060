package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.tensorboard.DataType;
import dev.lossdoctor.io.tensorboard.Event;
import dev.lossdoctor.io.tensorboard.Summary;
import dev.lossdoctor.io.tensorboard.SummaryMetadata;
import dev.lossdoctor.io.tensorboard.TensorProto;
import dev.lossdoctor.io.tensorboard.TensorShapeProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorBoard event files written here, record by record: the framing, its checksums, and the ways a scalar is stored. */
class TensorBoardFilesTest {

    @TempDir
    Path dir;

    private final List<TrainingEvent> events = new ArrayList<>();
    private final List<EventFiles.Problem> problems = new ArrayList<>();

    private static byte[] record(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        byte[] length = new byte[8];
        ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        b.putInt(TfRecords.masked(length, 0, 8));
        b.put(data);
        b.putInt(TfRecords.masked(data, 0, data.length));
        return b.array();
    }

    private static Event scalar(long step, String tag, float value) {
        return Event.newBuilder().setWallTime(1_700_000_000.0 + step).setStep(step)
                .setSummary(Summary.newBuilder().addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(value))).build();
    }

    private static Event tensor(long step, String tag, TensorProto.Builder t) {
        Summary.Value.Builder v = Summary.Value.newBuilder().setTag(tag).setTensor(t.setTensorShape(TensorShapeProto.getDefaultInstance()))
                .setMetadata(SummaryMetadata.newBuilder().setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("scalars")));
        return Event.newBuilder().setWallTime(1_700_000_000.0 + step).setStep(step).setSummary(Summary.newBuilder().addValue(v)).build();
    }

    private Path file(String name, byte[]... records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] r : records) {
            out.write(r);
        }
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.write(f, out.toByteArray());
        return f;
    }

    private List<MetricsReported> read(Path path) throws IOException {
        for (EventFiles.Source s : EventFiles.sources(List.of(path))) {
            new EventFiles().read(s, events::add, problems::add);
        }
        return events.stream().filter(e -> e instanceof MetricsReported).map(e -> (MetricsReported) e).toList();
    }

    @Test
    void shouldReadScalarsFromSimpleValuesAndFromEveryFormOfScalarTensor() throws IOException {
        byte[] content = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.75f).array();
        byte[] doubleContent = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.625).array();
        file("run/events.out.tfevents.1.host",
                record(Event.newBuilder().setWallTime(1_700_000_000.0).setFileVersion("brain.Event:2").build().toByteArray()),
                record(scalar(0, "train_loss", 1.0f).toByteArray()),
                record(tensor(0, "val_loss", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).addFloatVal(0.9f)).toByteArray()),
                record(tensor(1, "train_loss", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorContent(ByteString.copyFrom(content))).toByteArray()),
                record(tensor(1, "val_loss", TensorProto.newBuilder().setDtype(DataType.DT_DOUBLE).addDoubleVal(0.8)).toByteArray()),
                record(scalar(2, "train_loss", 0.5f).toByteArray()),
                record(tensor(2, "val_loss", TensorProto.newBuilder().setDtype(DataType.DT_DOUBLE).setTensorContent(ByteString.copyFrom(doubleContent))).toByteArray()),
                record(tensor(3, "val_loss", TensorProto.newBuilder().setDtype(DataType.DT_HALF).addHalfVal(0x3800)).toByteArray()));

        List<MetricsReported> p = read(dir.resolve("run"));

        assertThat(problems).isEmpty();
        assertThat(p).extracting(m -> m.metrics().get("val_loss")).containsExactly(0.9f + 0.0, 0.8, 0.625, 0.5);
        assertThat(p).extracting(m -> m.metrics().get("train_loss")).containsExactly(1.0, 0.75, 0.5, 0.5);
        assertThat(p).extracting(MetricsReported::step).containsExactly(0L, 1L, 2L, 3L);
        assertThat(p).extracting(MetricsReported::epoch).containsExactly(1L, 2L, 3L, 4L);
        assertThat(p.get(0).runId()).isEqualTo("run");
    }

    @Test
    void shouldSkipARecordFailingItsDataChecksumAndStopAtABadLength() throws IOException {
        byte[] bad = record(scalar(1, "val_loss", 7f).toByteArray());
        bad[20] ^= 0x55; // inside the data: its checksum no longer matches
        byte[] badLength = record(scalar(3, "val_loss", 9f).toByteArray());
        badLength[0] ^= 0x01;
        Path f = file("events.out.tfevents.2.host",
                record(scalar(0, "val_loss", 1f).toByteArray()), bad, record(scalar(2, "val_loss", 0.5f).toByteArray()),
                badLength, record(scalar(4, "val_loss", 0.25f).toByteArray()));

        List<MetricsReported> p = read(f);

        assertThat(p).extracting(m -> m.metrics().get("val_loss")).containsExactly(1.0, 0.5);
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0).reason()).contains("fails its checksum: skipped");
        assertThat(problems.get(1).reason()).contains("bad length checksum").contains("rest of the file is ignored");
    }

    @Test
    void shouldReadTheRecordsBeforeACutOffEndAndWarnOnce() throws IOException {
        byte[] last = record(scalar(2, "val_loss", 0.1f).toByteArray());
        byte[] cut = java.util.Arrays.copyOf(last, last.length - 6);
        Path f = file("events.out.tfevents.3.host", record(scalar(0, "val_loss", 1f).toByteArray()),
                record(scalar(1, "val_loss", 0.5f).toByteArray()), cut);

        List<MetricsReported> p = read(f);

        assertThat(p).hasSize(2);
        assertThat(problems).singleElement().satisfies(pr -> assertThat(pr.reason()).startsWith("warning: cut off"));
    }

    @Test
    void shouldConvertHalfPrecisionValues() {
        assertThat(TensorBoardRun.half(0x3c00)).isEqualTo(1.0f);
        assertThat(TensorBoardRun.half(0xc000)).isEqualTo(-2.0f);
        assertThat(TensorBoardRun.half(0x0001)).isEqualTo(0x1p-24f);
        assertThat(TensorBoardRun.half(0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(TensorBoardRun.half(0x7e00)).isNaN();
    }
}
