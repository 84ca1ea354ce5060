package dev.lossdoctor.core;

import dev.lossdoctor.core.StateBytes.In;
import dev.lossdoctor.core.StateBytes.Out;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The compact binary form of a {@link RunState}, written to the state store on every update:
 * varint keys stored as deltas, floats only for the values a point has. A full window is well
 * under 2 KB. The first byte is the format version; every released format stays readable (the
 * tests keep a golden blob of each, {@code src/test/resources/codec/v<N>/}).
 *
 * <p>Diagnoses are stored as their stable {@link Diagnosis#id()}, never an ordinal. Formats:
 * <ul>
 *   <li>1 (v0.1.0): a raw reading packed in one byte, the diagnosis in the low four bits (ids
 *       0-11 were the enum's ordinals then, and are its fixed ids now);
 *   <li>2: a raw reading in two bytes, room for any id (the next one is {@code lagging}'s);
 *   <li>3: the time-based hysteresis' clock (points when the diagnosis was said, diagnoses said)
 *       after the diagnosis said; the learning rate of a point that reports one (flag 8), and the
 *       evicted points' highest rate and rate at the training best after their aggregates; a
 *       reading during a spike's time to recover (second byte 254); the recovered spikes (their count
 *       and the latest few keys) after the clock; after the points, the run's first advice to stop
 *       ({@link StopAdvice}).
 *   <li>4: after the advice to stop, the times the run resumed from a checkpoint ({@link Restart});
 *       older formats read as none.
 * </ul>
 */
public final class RunStateCodec {

    /** The format written. */
    static final int VERSION = 4;
    /** The oldest format still read. */
    static final int OLDEST = 1;

    private RunStateCodec() {
    }

    /** One reused buffer per thread: encoding runs for every record, and a state is at most a few KB. */
    private static final ThreadLocal<ByteBuffer> BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocate(8192));

    public static byte[] encode(RunState s) {
        // the most a state can take: strings are capped, a point is at most 37 bytes
        int most = 1024 + 3 * (s.runId.length() + configChars(s.config)) + s.size * 37;
        ByteBuffer buffer = BUFFERS.get();
        if (buffer.capacity() < most) {
            buffer = ByteBuffer.allocate(most);
            BUFFERS.set(buffer);
        }
        buffer.clear();
        Out out = new Out(buffer);
        {
            if (s.encodedHead == null) { // the run id and config change once a run at most: written once
                Out head = new Out(ByteBuffer.allocate(128 + 3 * (s.runId.length() + configChars(s.config))));
                head.writeByte(VERSION);
                head.writeUTF(s.runId);
                writeConfig(head, s.config);
                s.encodedHead = head.toByteArray();
            }
            out.write(s.encodedHead);
            out.writeByte((s.configSeen ? 1 : 0) | (s.finished ? 2 : 0) | (s.stalled ? 4 : 0));
            out.writeByte(s.current == null ? 0 : s.current.id() + 1);
            writeVarLong(out, s.sinceEpoch + 1);
            writeVarLong(out, s.saidAtPoints);
            writeVarLong(out, s.changes);
            writeVarLong(out, s.spikeCount);
            out.writeByte(s.spikesKept);
            for (int i = 0; i < s.spikesKept; i++) {
                writeVarLong(out, s.spikes[i] + 1);
            }
            out.writeLong(s.lastActivityMillis);
            writeVarLong(out, s.evictedCount);
            for (RawReading r : s.readings) {
                writeReading(out, r);
            }
            writeAggregates(out, s.evicted);
            out.writeFloat(s.evicted.maxLr);
            out.writeFloat(s.evicted.bestTrainLr);
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
                if ((f & Point.HAS_LR) != 0) {
                    out.writeFloat(s.lr[i]);
                }
            }
            writeStopAdvice(out, s.stopAdvice);
            writeVarLong(out, s.restarts);
        }
        return out.toByteArray();
    }

    /** Reads what {@link #encode} wrote; throws {@link IllegalArgumentException} on anything else. */
    public static RunState decode(byte[] data) {
        try {
            In in = new In(data);
            int version = in.readUnsignedByte();
            if (version < OLDEST || version > VERSION) {
                throw new IllegalArgumentException("unknown run state format " + version);
            }
            RunState s = new RunState(in.readUTF());
            s.config = readConfig(in);
            int bits = in.readUnsignedByte();
            s.configSeen = (bits & 1) != 0;
            s.finished = (bits & 2) != 0;
            s.stalled = (bits & 4) != 0;
            int current = in.readUnsignedByte();
            s.current = current == 0 ? null : Diagnosis.byId(current - 1);
            s.sinceEpoch = readVarLong(in) - 1;
            if (version >= 3) { // older formats had no clock: the hysteresis starts counting again
                s.saidAtPoints = readVarLong(in);
                s.changes = (int) Math.min(Integer.MAX_VALUE, readVarLong(in));
                s.spikeCount = readVarLong(in);
                s.spikesKept = in.readUnsignedByte();
                if (s.spikesKept > RunState.SPIKES_KEPT) {
                    throw new IllegalArgumentException(s.spikesKept + " spikes kept");
                }
                for (int i = 0; i < s.spikesKept; i++) {
                    s.spikes[i] = readVarLong(in) - 1;
                }
            }
            s.lastActivityMillis = in.readLong();
            s.evictedCount = readVarLong(in);
            for (int i = 0; i < RunState.READINGS; i++) {
                s.readings[i] = version == 1 ? RawReading.ofFormat1((byte) in.readUnsignedByte()) : readReading(in);
            }
            readAggregates(in, s.evicted);
            if (version >= 3) {
                s.evicted.maxLr = in.readFloat();
                s.evicted.bestTrainLr = in.readFloat();
            }
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
                s.lr[i] = (f & Point.HAS_LR) != 0 ? in.readFloat() : Float.NaN;
            }
            if (version >= 3) {
                s.stopAdvice = readStopAdvice(in);
            } // older formats did not keep it: no advice recorded
            if (version >= 4) {
                s.restarts = (int) Math.min(Integer.MAX_VALUE, readVarLong(in));
            } // older formats did not keep it: no restart counted

            s.rebuildAll();
            return s;
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IllegalArgumentException("corrupt run state: " + e.getMessage(), e);
        }
    }

    /** No reading, a reading that keeps a still state: the second byte of a format-2 reading. */
    private static final int NONE = 0, KEEPS_STILL = 0xFF, KEEPS_ANY = 0xFE;

    /**
     * Format 2's reading: the diagnosis id + 1 (0: no reading), then the other diagnosis of a
     * reading on the line between two, as its id + 1 (0: none; 255: a learning reading that keeps
     * a still state).
     */
    private static void writeReading(Out out, RawReading r) {
        if (r == null) {
            out.writeByte(NONE);
            out.writeByte(NONE);
            return;
        }
        out.writeByte(r.diagnosis().id() + 1);
        out.writeByte(r.keepsAny() ? KEEPS_ANY : r.keepsStill() ? KEEPS_STILL : r.orElse() == null ? NONE : r.orElse().id() + 1);
    }

    private static RawReading readReading(In in) {
        int d = in.readUnsignedByte(), other = in.readUnsignedByte();
        if (d == NONE) {
            return null;
        }
        Diagnosis diagnosis = Diagnosis.byId(d - 1);
        if (other == KEEPS_STILL) {
            return RawReading.of(diagnosis, null, true);
        }
        if (other == KEEPS_ANY) { // (format 3 on: a reading during a spike's time to recover)
            return RawReading.keepingAny(diagnosis);
        }
        return RawReading.of(diagnosis, other == NONE ? null : Diagnosis.byId(other - 1), false);
    }

    /** Format 3's first advice to stop: its diagnosis id + 1 (0: none), then its epoch and event time. */
    private static void writeStopAdvice(Out out, StopAdvice a) {
        if (a == null) {
            out.writeByte(NONE);
            return;
        }
        out.writeByte(a.diagnosis().id() + 1);
        writeVarLong(out, zigzag(a.sinceX()));
        out.writeLong(a.atMillis());
    }

    private static StopAdvice readStopAdvice(In in) {
        int d = in.readUnsignedByte();
        if (d == NONE) {
            return null;
        }
        return new StopAdvice(Diagnosis.byId(d - 1), unzigzag(readVarLong(in)), in.readLong());
    }

    private static int configChars(RunConfig c) {
        int n = 0;
        for (String v : new String[] {c.optimizer(), c.task(), c.loss(), c.outputActivation(), c.hiddenActivation(), c.model(), c.dataset()}) {
            n += v == null ? 0 : v.length() + 5;
        }
        return n;
    }

    private static void writeAggregates(Out out, Aggregates a) {
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
        out.writeLong(a.trainNonFiniteEpoch);
        out.writeLong(a.trainNonFiniteStep);
        out.writeLong(a.valNonFiniteEpoch);
        out.writeLong(a.valNonFiniteStep);
        out.writeByte((a.trainFinite ? 1 : 0) | (a.valFinite ? 2 : 0));
    }

    private static void readAggregates(In in, Aggregates a) {
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
        a.trainNonFiniteEpoch = in.readLong();
        a.trainNonFiniteStep = in.readLong();
        a.valNonFiniteEpoch = in.readLong();
        a.valNonFiniteStep = in.readLong();
        int finite = in.readUnsignedByte();
        a.trainFinite = (finite & 1) != 0;
        a.valFinite = (finite & 2) != 0;
    }

    private static void writeConfig(Out out, RunConfig c) {
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

    private static RunConfig readConfig(In in) {
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

    private static void writeString(Out out, String s) {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readString(In in) {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    static void writeVarLong(Out out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long readVarLong(In in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
