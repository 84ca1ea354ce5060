package dev.lossdoctor.streams;

import dev.lossdoctor.core.Point;
import dev.lossdoctor.core.Siblings;
import dev.lossdoctor.core.SweepCodec;
import dev.lossdoctor.core.SweepStats;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serdes of the sweep path: the two internal topics' records (a format byte first, so that a
 * rolling upgrade can tell an older record) and the two stores' values ({@link SweepCodec}).
 */
final class SweepRecordSerdes {

    private static final Logger log = LoggerFactory.getLogger(SweepRecordSerdes.class);
    static final int FORMAT = 1;

    private SweepRecordSerdes() {
    }

    static final class Points extends BaseSerde<SweepPoint> {
        Points() {
            super("sweep point");
        }

        @Override
        byte[] write(SweepPoint s) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT);
                out.writeUTF(s.runId());
                out.writeUTF(s.sweepId());
                out.writeInt(s.maxEpochs() == null ? -1 : s.maxEpochs());
                out.writeLong(s.at().getEpochSecond());
                out.writeInt(s.at().getNano());
                Point p = s.point();
                out.writeBoolean(p != null);
                if (p != null) {
                    out.writeLong(p.epoch());
                    out.writeLong(p.step());
                    out.writeFloat(p.train());
                    out.writeFloat(p.val());
                    out.writeFloat(p.valScore());
                    out.writeInt(p.flags());
                    out.writeFloat(p.lr());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        @Override
        SweepPoint read(byte[] bytes) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                format(in.readByte());
                String runId = in.readUTF();
                String sweepId = in.readUTF();
                int max = in.readInt();
                Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
                Point p = in.readBoolean() ? new Point(in.readLong(), in.readLong(), in.readFloat(), in.readFloat(),
                        in.readFloat(), in.readInt(), in.readFloat()) : null;
                return new SweepPoint(runId, sweepId, p, max < 0 ? null : max, at);
            } catch (IOException e) {
                throw new IllegalArgumentException("a sweep point that does not decode: " + e);
            }
        }
    }

    static final class Verdicts extends BaseSerde<SweepVerdict> {
        Verdicts() {
            super("sweep verdict");
        }

        @Override
        byte[] write(SweepVerdict v) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                Siblings s = v.siblings();
                out.writeByte(FORMAT);
                out.writeUTF(v.runId());
                out.writeLong(v.at().getEpochSecond());
                out.writeInt(v.at().getNano());
                out.writeUTF(s.sweepId());
                out.writeLong(s.at());
                out.writeBoolean(s.byStep());
                out.writeBoolean(s.byScore());
                out.writeInt(s.rank());
                out.writeInt(s.of());
                out.writeDouble(s.median());
                out.writeDouble(s.threshold());
                out.writeDouble(s.own());
                out.writeBoolean(s.lagging());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        @Override
        SweepVerdict read(byte[] bytes) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                format(in.readByte());
                String runId = in.readUTF();
                Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
                Siblings s = new Siblings(in.readUTF(), in.readLong(), in.readBoolean(), in.readBoolean(), in.readInt(),
                        in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(), in.readBoolean());
                return new SweepVerdict(runId, s, at);
            } catch (IOException e) {
                throw new IllegalArgumentException("a sweep verdict that does not decode: " + e);
            }
        }
    }

    /** A sweep's statistics in the sweep store; bytes that don't decode read as a fresh sweep (logged). */
    static final class Stats extends BaseSerde<SweepStats> {
        Stats() {
            super("sweep statistics");
        }

        @Override
        byte[] write(SweepStats s) {
            return SweepCodec.encode(s);
        }

        @Override
        SweepStats read(byte[] bytes) {
            try {
                return SweepCodec.decodeStats(bytes);
            } catch (IllegalArgumentException e) {
                log.error("Discarding sweep statistics of {} bytes that do not decode ({})", bytes.length, e.getMessage());
                return null;
            }
        }
    }

    /** A sweep run's overlay in its run's task; bytes that don't decode read as none (logged). */
    static final class Members extends BaseSerde<SweepCodec.Member> {
        Members() {
            super("sweep member");
        }

        @Override
        byte[] write(SweepCodec.Member m) {
            return SweepCodec.encode(m);
        }

        @Override
        SweepCodec.Member read(byte[] bytes) {
            try {
                return SweepCodec.decodeMember(bytes);
            } catch (IllegalArgumentException e) {
                log.error("Discarding a sweep member of {} bytes that does not decode ({})", bytes.length, e.getMessage());
                return null;
            }
        }
    }

    private static void format(byte b) {
        if (b != FORMAT) {
            throw new IllegalArgumentException("unknown format " + b);
        }
    }
}
