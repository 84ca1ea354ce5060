package dev.lossdoctor.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The compact binary form of a {@link RunState}, written to the state store on every update:
 * varint keys stored as deltas, floats only for the values a point has. A full window is well
 * under 2 KB. The first byte is a format version, so a later format can still read this one.
 */
public final class RunStateCodec {

    private static final int VERSION = 1;

    private RunStateCodec() {
    }

    public static byte[] encode(RunState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + s.size * 12);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(s.runId);
            writeConfig(out, s.config);
            out.writeByte((s.configSeen ? 1 : 0) | (s.finished ? 2 : 0) | (s.stalled ? 4 : 0));
            out.writeByte(s.current == null ? 0 : s.current.ordinal() + 1);
            writeVarLong(out, s.sinceEpoch + 1);
            out.writeLong(s.lastActivityMillis);
            writeVarLong(out, s.evictedCount);
            out.write(s.readings);
            writeAggregates(out, s.evicted);
            out.writeByte(s.size);
            long prevEpoch = 0, prevStep = 0;
            for (int i = 0; i < s.size; i++) {
                writeVarLong(out, zigzag(s.epochs[i] - prevEpoch));
                writeVarLong(out, zigzag(s.steps[i] - prevStep));
                prevEpoch = s.epochs[i];
                prevStep = s.steps[i];
                int f = s.flags[i];
                out.writeByte(f);
                if ((f & Point.HAS_TRAIN) != 0) {
                    out.writeFloat(s.train[i]);
                }
                if ((f & Point.HAS_VAL) != 0) {
                    out.writeFloat(s.val[i]);
                }
                if ((f & Point.HAS_VAL_SCORE) != 0) {
                    out.writeFloat(s.valScore[i]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #encode} wrote; throws {@link IllegalArgumentException} on anything else. */
    public static RunState decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown run state format " + version);
            }
            RunState s = new RunState(in.readUTF());
            s.config = readConfig(in);
            int bits = in.readUnsignedByte();
            s.configSeen = (bits & 1) != 0;
            s.finished = (bits & 2) != 0;
            s.stalled = (bits & 4) != 0;
            int current = in.readUnsignedByte();
            s.current = current == 0 ? null : Diagnosis.values()[current - 1];
            s.sinceEpoch = readVarLong(in) - 1;
            s.lastActivityMillis = in.readLong();
            s.evictedCount = readVarLong(in);
            in.readFully(s.readings);
            readAggregates(in, s.evicted);
            s.size = in.readUnsignedByte();
            long epoch = 0, step = 0;
            for (int i = 0; i < s.size; i++) {
                epoch += unzigzag(readVarLong(in));
                step += unzigzag(readVarLong(in));
                s.epochs[i] = epoch;
                s.steps[i] = step;
                int f = in.readUnsignedByte();
                s.flags[i] = (byte) f;
                s.train[i] = (f & Point.HAS_TRAIN) != 0 ? in.readFloat() : Float.NaN;
                s.val[i] = (f & Point.HAS_VAL) != 0 ? in.readFloat() : Float.NaN;
                s.valScore[i] = (f & Point.HAS_VAL_SCORE) != 0 ? in.readFloat() : Float.NaN;
            }
            return s;
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("corrupt run state: " + e, e);
        }
    }

    private static void writeAggregates(DataOutputStream out, RunState.Aggregates a) throws IOException {
        out.writeLong(a.firstEpoch);
        out.writeLong(a.firstStep);
        out.writeFloat(a.firstTrain);
        out.writeFloat(a.firstVal);
        out.writeFloat(a.bestTrain);
        writeVarLong(out, a.bestTrainEpoch + 1);
        writeVarLong(out, a.bestTrainStep + 1);
        out.writeFloat(a.bestVal);
        writeVarLong(out, a.bestValEpoch + 1);
        writeVarLong(out, a.bestValStep + 1);
        out.writeFloat(a.bestValTrain);
        out.writeLong(a.nonFiniteEpoch);
        out.writeLong(a.nonFiniteStep);
    }

    private static void readAggregates(DataInputStream in, RunState.Aggregates a) throws IOException {
        a.firstEpoch = in.readLong();
        a.firstStep = in.readLong();
        a.firstTrain = in.readFloat();
        a.firstVal = in.readFloat();
        a.bestTrain = in.readFloat();
        a.bestTrainEpoch = readVarLong(in) - 1;
        a.bestTrainStep = readVarLong(in) - 1;
        a.bestVal = in.readFloat();
        a.bestValEpoch = readVarLong(in) - 1;
        a.bestValStep = readVarLong(in) - 1;
        a.bestValTrain = in.readFloat();
        a.nonFiniteEpoch = in.readLong();
        a.nonFiniteStep = in.readLong();
    }

    private static void writeConfig(DataOutputStream out, RunConfig c) throws IOException {
        writeString(out, c.optimizer());
        out.writeDouble(c.lr() == null ? Double.NaN : c.lr());
        writeVarLong(out, c.batchSize() == null ? 0 : c.batchSize().longValue() + 1);
        writeString(out, c.task());
        writeString(out, c.loss());
        writeString(out, c.outputActivation());
        writeString(out, c.hiddenActivation());
        writeVarLong(out, c.maxEpochs() == null ? 0 : c.maxEpochs().longValue() + 1);
        writeVarLong(out, c.numClasses() == null ? 0 : c.numClasses().longValue() + 1);
        writeString(out, c.model());
        writeString(out, c.dataset());
    }

    private static RunConfig readConfig(DataInputStream in) throws IOException {
        String optimizer = readString(in);
        double lr = in.readDouble();
        long batch = readVarLong(in);
        String task = readString(in);
        String loss = readString(in);
        String out = readString(in);
        String hidden = readString(in);
        long maxEpochs = readVarLong(in);
        long classes = readVarLong(in);
        String model = readString(in);
        String dataset = readString(in);
        return new RunConfig(optimizer, Double.isNaN(lr) ? null : lr, batch == 0 ? null : (int) (batch - 1), task, loss,
                out, hidden, maxEpochs == 0 ? null : (int) (maxEpochs - 1), classes == 0 ? null : (int) (classes - 1),
                model, dataset);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readString(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static void writeVarLong(DataOutputStream out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarLong(DataInputStream in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("varint too long");
    }
}
