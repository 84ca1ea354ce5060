package dev.lossdoctor.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stored forms of a sweep's {@link SweepStats} and of a sweep run's {@link SiblingOverlay}
 * (with the sweep it belongs to), each behind a magic byte and a format number, so that a later
 * release can still read what this one wrote. Diagnoses are written by their stable id.
 */
public final class SweepCodec {

    static final int STATS_MAGIC = 0x53; // 'S'
    static final int MEMBER_MAGIC = 0x4d; // 'M'
    /** The format of a sweep run this release writes (and the only one so far). */
    public static final int FORMAT = 1;
    /**
     * The format of a sweep's statistics this release writes. 2 added, per run, its {@code
     * max_epochs} and the verdict it was last given, and the sweep's last record time; 1 is still
     * read (those read as unknown: no verdict given yet, no time).
     */
    public static final int STATS_FORMAT = 2;

    private SweepCodec() {
    }

    /** A run of a sweep, as its own task keeps it: the sweep it belongs to and its overlay. */
    public record Member(String sweepId, SiblingOverlay overlay) {
    }

    public static byte[] encode(SweepStats s) {
        return write(out -> {
            out.writeByte(STATS_MAGIC);
            out.writeByte(STATS_FORMAT);
            out.writeUTF(s.sweepId);
            out.writeLong(s.lastActivityMillis);
            int n = s.members.size();
            out.writeInt(n);
            for (int m = 0; m < n; m++) {
                out.writeUTF(s.members.get(m));
                out.writeLong(s.reached[m]);
                out.writeBoolean(s.finiteLoss[m]);
                out.writeBoolean(s.bySteps[m]);
                out.writeInt(s.maxEpochs[m]);
                out.writeShort(s.givenAt[m]);
                out.writeInt(s.givenOf[m]);
                out.writeBoolean(s.givenLagging[m]);
            }
            out.writeInt(s.loss.length);
            for (int k = 0; k < s.loss.length; k++) {
                for (int m = 0; m < n; m++) {
                    out.writeFloat(s.loss[k][m]);
                    out.writeFloat(s.score[k][m]);
                }
            }
        });
    }

    /** @throws IllegalArgumentException when the bytes are no stored sweep of a known format */
    public static SweepStats decodeStats(byte[] bytes) {
        return read(bytes, STATS_MAGIC, STATS_FORMAT, (in, format) -> {
            SweepStats s = new SweepStats(in.readUTF());
            if (format >= 2) {
                s.lastActivityMillis = in.readLong();
            }
            int n = in.readInt();
            check(n >= 0 && n <= SweepStats.MAX_MEMBERS, "members " + n);
            for (int m = 0; m < n; m++) {
                s.member(in.readUTF());
                s.reached[m] = in.readLong();
                s.finiteLoss[m] = in.readBoolean();
                s.bySteps[m] = in.readBoolean();
                if (format >= 2) {
                    s.maxEpochs[m] = in.readInt();
                    s.givenAt[m] = in.readShort();
                    s.givenOf[m] = in.readInt();
                    s.givenLagging[m] = in.readBoolean();
                }
            }
            int k = in.readInt();
            check(k >= 0 && k <= SweepStats.MAX_CHECKPOINTS, "checkpoints " + k);
            s.loss = new float[k][n];
            s.score = new float[k][n];
            for (int c = 0; c < k; c++) {
                for (int m = 0; m < n; m++) {
                    s.loss[c][m] = in.readFloat();
                    s.score[c][m] = in.readFloat();
                }
            }
            return s;
        });
    }

    public static byte[] encode(Member member) {
        return write(out -> {
            out.writeByte(MEMBER_MAGIC);
            out.writeByte(FORMAT);
            out.writeUTF(member.sweepId());
            SiblingOverlay o = member.overlay();
            DiagnosisEvent e = o.laggingEvent();
            out.writeBoolean(e != null);
            if (e != null) {
                out.writeUTF(e.runId());
                writeLong(out, e.epoch());
                writeLong(out, e.step());
                out.writeInt(e.previous() == null ? -1 : e.previous().id());
                writeLong(out, e.sinceEpoch());
                out.writeDouble(e.confidence());
                out.writeUTF(e.summary());
                out.writeInt(e.recommendations().size());
                for (String r : e.recommendations()) {
                    out.writeUTF(r);
                }
                out.writeLong(e.timestamp().getEpochSecond());
                out.writeInt(e.timestamp().getNano());
            }
            Siblings l = o.latest();
            out.writeBoolean(l != null);
            if (l != null) {
                out.writeUTF(l.sweepId());
                out.writeLong(l.at());
                out.writeBoolean(l.byStep());
                out.writeBoolean(l.byScore());
                out.writeInt(l.rank());
                out.writeInt(l.of());
                out.writeDouble(l.median());
                out.writeDouble(l.threshold());
                out.writeDouble(l.own());
                out.writeBoolean(l.lagging());
            }
        });
    }

    /** @throws IllegalArgumentException when the bytes are no stored sweep run of a known format */
    public static Member decodeMember(byte[] bytes) {
        return read(bytes, MEMBER_MAGIC, FORMAT, (in, format) -> {
            String sweepId = in.readUTF();
            DiagnosisEvent e = null;
            if (in.readBoolean()) {
                String runId = in.readUTF();
                Long epoch = readLong(in);
                Long step = readLong(in);
                int previous = in.readInt();
                Long since = readLong(in);
                double confidence = in.readDouble();
                String summary = in.readUTF();
                int r = in.readInt();
                check(r >= 0 && r < 1000, "recommendations " + r);
                List<String> recs = new ArrayList<>(r);
                for (int i = 0; i < r; i++) {
                    recs.add(in.readUTF());
                }
                Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
                // the evidence went out with the event; the status shows the words only
                e = new DiagnosisEvent(runId, epoch, step, Diagnosis.LAGGING, previous < 0 ? null : Diagnosis.byId(previous),
                        since, confidence, summary, List.copyOf(recs), Map.of(), at);
            }
            Siblings latest = null;
            if (in.readBoolean()) {
                latest = new Siblings(in.readUTF(), in.readLong(), in.readBoolean(), in.readBoolean(), in.readInt(),
                        in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(), in.readBoolean());
            }
            return new Member(sweepId, new SiblingOverlay(e != null, e, latest));
        });
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in, int format) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads formats 1 to {@code latest}. */
    private static <T> T read(byte[] bytes, int magic, int latest, Reader<T> r) {
        if (bytes == null || bytes.length < 2 || bytes[0] != magic) {
            throw new IllegalArgumentException("not a stored " + (magic == STATS_MAGIC ? "sweep" : "sweep run"));
        }
        if (bytes[1] < 1 || bytes[1] > latest) {
            throw new IllegalArgumentException("unknown format " + bytes[1]);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 2, bytes.length - 2))) {
            T t = r.read(in, bytes[1]);
            check(in.available() == 0, "trailing bytes");
            return t;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("truncated or corrupt: " + e, e);
        }
    }

    private static void writeLong(DataOutputStream out, Long v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeLong(v);
        }
    }

    private static Long readLong(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("corrupt: " + what);
        }
    }
}
