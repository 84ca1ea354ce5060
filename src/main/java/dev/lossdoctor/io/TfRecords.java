package dev.lossdoctor.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The records of a TFRecord file (TensorBoard's event files), read one at a time from a stream so a
 * large file is never held whole: each record is a little-endian uint64 length, the masked CRC-32C of
 * those 8 bytes, the data, and the masked CRC-32C of the data; both checksums are checked. A file cut
 * off in its last record (a training killed while writing) gives the records before it and a warning.
 */
final class TfRecords {

    /** No real event is this large (TensorBoard's own reader has no cap, but a bad length would be read as one). */
    private static final long MAX_RECORD = 1L << 30;
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecords() {
    }

    /** Hands each record's data to {@code records}; problems (a bad checksum, a cut-off end) to {@code problems}. */
    static void read(Path file, Consumer<byte[]> records, Consumer<EventFiles.Problem> problems) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] header = new byte[12];
            byte[] crc = new byte[4];
            long offset = 0;
            while (true) {
                int got = in.readNBytes(header, 0, 12);
                if (got == 0) {
                    return;
                }
                if (got < 12) {
                    cutOff(file, offset, problems);
                    return;
                }
                ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
                long length = h.getLong(0);
                if (h.getInt(8) != masked(header, 0, 8)) {
                    problems.accept(EventFiles.Problem.ofFile(file, "record at byte " + offset
                            + " has a bad length checksum: the rest of the file is ignored"));
                    return;
                }
                if (length < 0 || length > MAX_RECORD) {
                    problems.accept(EventFiles.Problem.ofFile(file, "record at byte " + offset + " claims " + Long.toUnsignedString(length)
                            + " bytes: the rest of the file is ignored"));
                    return;
                }
                byte[] data = new byte[(int) length];
                if (in.readNBytes(data, 0, data.length) < data.length || in.readNBytes(crc, 0, 4) < 4) {
                    cutOff(file, offset, problems);
                    return;
                }
                if (ByteBuffer.wrap(crc).order(ByteOrder.LITTLE_ENDIAN).getInt() != masked(data, 0, data.length)) {
                    problems.accept(EventFiles.Problem.ofFile(file, "record at byte " + offset + " fails its checksum: skipped"));
                } else {
                    records.accept(data);
                }
                offset += 16 + length;
            }
        } catch (EOFException e) {
            throw new IOException("unexpected end of file", e);
        }
    }

    private static void cutOff(Path file, long offset, Consumer<EventFiles.Problem> problems) {
        problems.accept(EventFiles.Problem.ofFile(file, "warning: cut off in the record at byte " + offset
                + " (the training was stopped while writing?): the records before it are read"));
    }

    /** TFRecord's masked CRC-32C: rotated right by 15 bits, plus a constant. */
    static int masked(byte[] bytes, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, from, length);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }
}
