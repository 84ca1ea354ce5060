package dev.lossdoctor.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generated records a trainer, a broken client or an attacker might send, none of them usable:
 * not JSON, wrong types, huge and tiny numbers, deep nesting, 1 MiB values, 10,000-character run
 * ids, control characters, unknown event types, and more. Many carry the key of a real run, so
 * that they land on its partition and try to disturb it.
 */
final class HostileRecords {

    /** One record as sent: key and value may be null. */
    record Bad(String kind, byte[] key, byte[] value) {
        String keyText() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }
    }

    static final int ONE_MIB = 1 << 20;

    private final SplittableRandom random;
    private final List<String> runIds;

    HostileRecords(long seed, List<String> runIds) {
        this.random = new SplittableRandom(seed);
        this.runIds = runIds;
    }

    /** {@code n} bad records, kinds in turn; {@code bigOnes} of them 1 MiB values. */
    List<Bad> generate(int n, int bigOnes) {
        List<Bad> out = new ArrayList<>(n);
        for (int i = 0; i < bigOnes; i++) {
            out.add(oneMiB(i));
        }
        int kind = 0;
        while (out.size() < n) {
            out.add(make(kind++ % KINDS));
        }
        return out;
    }

    private static final int KINDS = 35;

    private Bad make(int kind) {
        String run = runIds.get(random.nextInt(runIds.size()));
        String other = runIds.get(random.nextInt(runIds.size()));
        int epoch = 1 + random.nextInt(200);
        return switch (kind) {
            // not JSON
            case 0 -> bad("not-json/garbage", run, randomText(1 + random.nextInt(300)));
            case 1 -> bad("not-json/truncated", run, metrics(run, epoch).substring(0, 10 + random.nextInt(40)));
            case 2 -> bad("not-json/binary", run, randomBytes(1 + random.nextInt(200), true));
            case 3 -> bad("not-json/empty", run, new byte[0]);
            case 4 -> new Bad("not-json/null-value", utf8(run), null);
            case 5 -> bad("not-json/unterminated-string", run, "{\"run_id\":\"" + run + "\",\"epoch\":1,\"metrics\":{\"train_loss");
            case 6 -> bad("not-json/not-an-object", run, random.nextBoolean() ? "[1,2,3]" : "\"just a string\"");
            // wrong types
            case 7 -> bad("type/run-id-number", null, "{\"run_id\":12345,\"epoch\":" + epoch + ",\"metrics\":{\"train_loss\":0.5}}");
            case 8 -> bad("type/run-id-object", null, "{\"run_id\":{\"id\":\"" + run + "\"},\"epoch\":1,\"metrics\":{\"train_loss\":0.5}}");
            case 9 -> bad("type/epoch-string", run, "{\"run_id\":\"" + run + "\",\"epoch\":\"twelve\",\"metrics\":{\"train_loss\":0.5}}");
            case 10 -> bad("type/epoch-bool", run, "{\"run_id\":\"" + run + "\",\"epoch\":true,\"metrics\":{\"train_loss\":0.5}}");
            case 11 -> bad("type/metrics-array", run, "{\"run_id\":\"" + run + "\",\"epoch\":" + epoch + ",\"metrics\":[0.5,0.6]}");
            case 12 -> bad("type/metric-object", run, "{\"run_id\":\"" + run + "\",\"epoch\":" + epoch
                    + ",\"metrics\":{\"train_loss\":{\"value\":0.5}}}");
            case 13 -> bad("type/metric-word", run, "{\"run_id\":\"" + run + "\",\"epoch\":" + epoch
                    + ",\"metrics\":{\"val_loss\":\"lots\"}}");
            case 14 -> bad("type/type-number", run, "{\"type\":7,\"run_id\":\"" + run + "\",\"epoch\":1}");
            case 15 -> bad("type/timestamp-bool", run, "{\"run_id\":\"" + run + "\",\"epoch\":" + epoch
                    + ",\"timestamp\":false,\"metrics\":{\"train_loss\":0.5}}");
            case 16 -> bad("type/config-array", run, "{\"type\":\"run_started\",\"run_id\":\"" + run + "\",\"config\":[\"adam\"]}");
            // huge and tiny numbers
            case 17 -> bad("number/epoch-huge", run, "{\"run_id\":\"" + run + "\",\"epoch\":1e30,\"metrics\":{\"train_loss\":0.5}}");
            case 18 -> bad("number/epoch-negative", run, "{\"run_id\":\"" + run + "\",\"epoch\":-" + epoch + ",\"metrics\":{\"train_loss\":0.5}}");
            case 19 -> bad("number/epoch-tiny", run, "{\"run_id\":\"" + run + "\",\"epoch\":1e-300,\"metrics\":{\"train_loss\":0.5}}");
            case 20 -> bad("number/too-many-digits", run, "{\"run_id\":\"" + run + "\",\"epoch\":" + epoch
                    + ",\"metrics\":{\"train_loss\":" + digits(100 + random.nextInt(2000)) + "}}");
            case 21 -> bad("number/step-beyond-long", run, "{\"run_id\":\"" + run + "\",\"step\":" + digits(25)
                    + ",\"metrics\":{\"train_loss\":0.5}}");
            // deep nesting
            case 22 -> bad("nesting/metrics", run, nested(run, 40 + random.nextInt(2000)));
            case 23 -> bad("nesting/array", run, "[".repeat(33 + random.nextInt(5000)));
            // run ids: too long, control characters, missing, disagreeing
            case 24 -> new Bad("run-id/10000-char-key", utf8("k".repeat(10_000)), utf8(metrics(null, epoch)));
            case 25 -> bad("run-id/10000-char-value", null, metrics("v".repeat(10_000), epoch));
            case 26 -> new Bad("run-id/control-char-key", utf8(run + "\u0001\u0007"), utf8(metrics(null, epoch)));
            case 27 -> bad("run-id/control-char-value", null, metrics(run + "\\n\\u0000", epoch));
            case 28 -> bad("run-id/missing", null, "{\"epoch\":" + epoch + ",\"metrics\":{\"train_loss\":0.5}}");
            case 29 -> bad("run-id/disagrees-with-key", run, metrics(other.equals(run) ? other + "-x" : other, epoch));
            // unknown event types and other unusable events
            case 30 -> bad("event/unknown-type", run, "{\"type\":\"" + pick("checkpoint_saved", "gradient_norm", "", "METRICS", "metrics ")
                    + "\",\"run_id\":\"" + run + "\",\"epoch\":" + epoch + "}");
            case 31 -> bad("event/no-epoch-nor-step", run, "{\"run_id\":\"" + run + "\",\"metrics\":{\"train_loss\":0.5}}");
            case 32 -> bad("event/257-metrics", run, manyMetrics(run, 257 + random.nextInt(100)));
            case 33 -> bad("not-json/trailing-garbage", run, metrics(run, epoch) + pick("}}}{", "x", " 1", "{}", "]"));
            default -> bad("event/timestamp-not-iso", run, "{\"run_id\":\"" + run + "\",\"epoch\":" + epoch
                    + ",\"timestamp\":\"yesterday at noon\",\"metrics\":{\"train_loss\":0.5}}");
        };
    }

    private Bad oneMiB(int i) {
        String run = runIds.get(i % runIds.size());
        StringBuilder b = new StringBuilder(ONE_MIB).append("{\"run_id\":\"").append(run).append("\",\"epoch\":1,\"padding\":\"");
        while (b.length() < ONE_MIB - 3) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        b.append("\"}");
        byte[] value = utf8(b.toString());
        return new Bad("size/1-mib", utf8(run), Arrays.copyOf(value, Math.max(value.length, ONE_MIB)));
    }

    private Bad bad(String kind, String key, String value) {
        return new Bad(kind, key == null ? null : utf8(key), utf8(value));
    }

    private Bad bad(String kind, String key, byte[] value) {
        return new Bad(kind, key == null ? null : utf8(key), value);
    }

    private static String metrics(String runId, int epoch) {
        return String.format(Locale.ROOT, "{%s\"epoch\":%d,\"metrics\":{\"train_loss\":0.5,\"val_loss\":0.6}}",
                runId == null ? "" : "\"run_id\":\"" + runId + "\",", epoch);
    }

    private static String nested(String run, int depth) {
        return "{\"run_id\":\"" + run + "\",\"epoch\":1,\"metrics\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "}";
    }

    private static String manyMetrics(String run, int n) {
        StringBuilder b = new StringBuilder("{\"run_id\":\"").append(run).append("\",\"epoch\":1,\"metrics\":{");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":").append(i);
        }
        return b.append("}}").toString();
    }

    private String digits(int n) {
        StringBuilder b = new StringBuilder("9");
        for (int i = 1; i < n; i++) {
            b.append((char) ('0' + random.nextInt(10)));
        }
        return b.toString();
    }

    private String randomText(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) (0x20 + random.nextInt(0x5f)));
        }
        String s = b.toString();
        return s.startsWith("{") || s.startsWith("[") ? "x" + s : s;
    }

    /** Random bytes that are never a JSON document (the first byte is not one that could start one). */
    private byte[] randomBytes(int n, boolean invalidUtf8) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        b[0] = invalidUtf8 ? (byte) 0xC3 : (byte) '#';
        if (n > 1) {
            b[1] = (byte) 0x28; // 0xC3 0x28: an invalid UTF-8 sequence
        }
        return b;
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
