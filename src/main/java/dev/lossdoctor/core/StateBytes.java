package dev.lossdoctor.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The byte buffers {@link RunStateCodec} writes a state into and reads it from (no growing, no copies on the way). */
final class StateBytes {

    private StateBytes() {
    }

    /** A growing-free writer over a byte array sized up front. */
    static final class Out {
        private final ByteBuffer buf;

        Out(ByteBuffer buf) {
            this.buf = buf;
        }

        void writeByte(int b) {
            buf.put((byte) b);
        }

        void write(byte[] b) {
            buf.put(b);
        }

        void writeBoolean(boolean b) {
            buf.put((byte) (b ? 1 : 0));
        }

        void writeLong(long v) {
            buf.putLong(v);
        }

        void writeFloat(float v) {
            buf.putFloat(v);
        }

        void writeDouble(double v) {
            buf.putDouble(v);
        }

        void writeUTF(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            RunStateCodec.writeVarLong(this, b.length);
            buf.put(b);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }

    static final class In {
        private final ByteBuffer buf;

        In(byte[] data) {
            buf = ByteBuffer.wrap(data);
        }

        int readUnsignedByte() {
            return buf.get() & 0xFF;
        }

        boolean readBoolean() {
            return buf.get() != 0;
        }

        long readLong() {
            return buf.getLong();
        }

        float readFloat() {
            return buf.getFloat();
        }

        double readDouble() {
            return buf.getDouble();
        }

        String readUTF() {
            long n = RunStateCodec.readVarLong(this);
            if (n < 0 || n > buf.remaining()) {
                throw new IllegalArgumentException("string length " + n + " past the end");
            }
            byte[] b = new byte[(int) n];
            buf.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
