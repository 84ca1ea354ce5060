package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.EventArbitraries;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The parser reads an event from its tokens, without a tree; on any input, what it makes of it
 * (the event, or the reason it is turned away) is exactly what reading the whole tree makes of it.
 */
class TokenReaderProperties {

    private static final Instant RECORD_TIME = Instant.parse("2026-11-26T09:00:00Z");
    private static final String VALID = "{\"type\":\"metrics\",\"run_id\":\"r1\",\"epoch\":12,\"step\":4800,"
            + "\"timestamp\":\"2026-11-26T10:12:00Z\",\"metrics\":{\"train_loss\":0.51,\"val_loss\":NaN,\"val_accuracy\":0.79,\"lr\":0.001}}";
    private final EventParser parser = new EventParser();

    @Provide
    Arbitrary<String> jsonObjects() {
        return EventArbitraries.jsonObject();
    }

    @Provide
    Arbitrary<String> jsonValues() {
        return EventArbitraries.jsonValue();
    }

    private void sameAsTheTree(String key, byte[] value) {
        ParseResult read = parser.parse(key, value, RECORD_TIME), tree = parser.parseTree(key, value, RECORD_TIME);
        String line = new String(value, StandardCharsets.UTF_8);
        assertThat(read).as("%s", line).isEqualTo(tree);
        // both ways, and their hashes: the common line's metrics are a map of another kind (MetricMap)
        assertThat(tree).as("%s", line).isEqualTo(read);
        assertThat(read.hashCode()).as("%s", line).isEqualTo(tree.hashCode());
    }

    @Property(tries = 2000, seed = "2001")
    void anyJsonObject(@ForAll("jsonObjects") String json) {
        sameAsTheTree(null, json.getBytes(StandardCharsets.UTF_8));
        sameAsTheTree("r1", json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code line} with the characters at {@code positions} (wrapped round its length) replaced. */
    private static byte[] edited(String line, List<Integer> positions, List<Character> replacements) {
        StringBuilder b = new StringBuilder(line);
        for (int i = 0; i < positions.size(); i++) {
            b.setCharAt(Math.floorMod(positions.get(i), b.length()), replacements.get(i));
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Property(tries = 500, seed = "2002")
    void anyJsonValue(@ForAll("jsonValues") String json) {
        sameAsTheTree("k", json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000, seed = "2003")
    void anyEditOfAValidEvent(@ForAll @Size(max = 5) List<Integer> positions,
                              @ForAll @Size(min = 5, max = 5) List<Character> replacements) {
        sameAsTheTree(null, edited(VALID, positions, replacements));
    }

    @Provide
    Arbitrary<String> tails() {
        return Arbitraries.oneOf(Arbitraries.of("", " ", "}", "]", "{}", ",", "\"", "x", "1", "NaN", ",\"loss\":1}"),
                Arbitraries.strings().ofMaxLength(20));
    }

    @Property(tries = 1000, seed = "2004")
    void anyCutOfAValidEvent(@ForAll @IntRange(min = 0, max = 200) int cut, @ForAll("tails") String tail) {
        sameAsTheTree(null, (VALID.substring(0, Math.min(cut, VALID.length())) + tail).getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 300, seed = "2005")
    void anyBytes(@ForAll @Size(max = 200) byte[] bytes) {
        if (bytes.length > 0) {
            sameAsTheTree(null, bytes);
        }
    }

    @Property(tries = 1)
    void namesGivenTwiceKeepTheirFirstPlaceAndLastValue() {
        for (String json : new String[] {
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":{\"loss\":1,\"val_loss\":2,\"loss\":\"x\"}}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":{\"loss\":1,\"val_loss\":\"x\",\"val_loss\":3}}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":{\"loss\":1},\"metrics\":null,\"loss\":2}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":5,\"metrics\":{\"loss\":1}}",
                "{\"run_id\":\"r1\",\"epoch\":\"x\",\"epoch\":3,\"loss\":0.5,\"Loss\":0.7,\"train_loss\":0.9}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":[1,2],\"val_loss\":{\"a\":1}}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":{\"loss\":{\"a\":[1,{\"b\":2}]}}}",
                "{\"run_id\":\"r1\",\"epoch\":1e3,\"step\":18446744073709551616,\"loss\":1}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":0.5}   ",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":0.5} x",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":0.5}{}",
                "{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":{\"lr\":\"0.1\",\"batch_size\":32.0,\"optimizer\":[1]}}",
                "[{\"run_id\":\"r1\"}]", "\"text\"", "  ", "{", "{}"}) {
            sameAsTheTree(null, json.getBytes(StandardCharsets.UTF_8));
        }
    }

    // ---- the common shape, read without a tokenizer (MetricsLine): lines of that shape and near it

    private static final String COMMON = "{\"type\":\"metrics\",\"run_id\":\"run-0000042\",\"epoch\":12,\"step\":4800,"
            + "\"timestamp\":\"2026-11-26T10:12:00Z\",\"metrics\":{\"train_loss\":0.51,\"val_loss\":0.6,"
            + "\"train_accuracy\":0.8,\"val_accuracy\":0.79,\"lr\":0.001}}";

    @Provide
    Arbitrary<String> numbers() {
        Arbitrary<String> valid = Arbitraries.oneOf(Arbitraries.of("0", "-0", "1", "12", "0.5", "-0.0", "1e5", "2.5E-3", "1e400"),
                Arbitraries.doubles().map(d -> Double.toString(Math.abs(d))), Arbitraries.longs().between(0, 1L << 60).map(l -> Long.toString(l)));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, valid), net.jqwik.api.Tuple.of(1, Arbitraries.oneOf(
                Arbitraries.of("0", "-0", "0.0", "-0.0", "1", "-1", "01", "1.", ".5", "1e5", "1E+5", "1e-400", "1e400", "-1e400",
                        "2.5e-3", "123456789012345678", "1234567890123456789", "99999999999999999999", "0.1e", "1e", "-",
                        "1.5.5", "NaN", "Infinity", "-Infinity", "null", "\"0.5\"", "\"nan\"", "true", "1x", "+1", "0x10",
                        "4.9e-324", "2.2250738585072014E-308", "1.7976931348623157e308", "0.30000000000000004"),
                Arbitraries.doubles().map(d -> Double.toString(d)),
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.strings().withChars("0123456789.-+eE").ofMinLength(1).ofMaxLength(12))));
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, Arbitraries.of("train_loss", "val_loss", "val_accuracy", "lr")),
                net.jqwik.api.Tuple.of(1, Arbitraries.oneOf(Arbitraries.of("train_loss", "val_loss", "loss", "Loss", " loss ", "val_acc", "accuracy",
                        "learning_rate", "lr", "", "   ", "train_loss\\u0041", "é", "x".repeat(129), "val_accuracy", "epoch"),
                Arbitraries.strings().ascii().ofMaxLength(10))));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.of("run-1", "2026-11-26T10:12:00Z")),
                net.jqwik.api.Tuple.of(1, Arbitraries.oneOf(Arbitraries.of("run-1", "", " ", "r\\n1", "r\t1", "r1", "2026-11-26T10:12:00Z",
                        "2026-11-26T10:12:00.5+02:00", "2026-02-30T10:00:00Z", "1969-12-31T23:59:59Z", "10000-01-01T00:00:00Z",
                        "2026-11-26", "x".repeat(257), "日本"),
                Arbitraries.strings().ascii().ofMaxLength(12))));
    }

    @Property(tries = 3000, seed = "2006")
    void anyLineOfTheCommonShape(@ForAll("numbers") String epoch, @ForAll("numbers") String step,
                                 @ForAll("names") String name1, @ForAll("numbers") String value1,
                                 @ForAll("names") String name2, @ForAll("numbers") String value2,
                                 @ForAll("texts") String runId, @ForAll("texts") String time,
                                 @ForAll @IntRange(min = 0, max = 255) int omit, @ForAll("keys") String key,
                                 @ForAll("spaces") String space) {
        StringBuilder b = new StringBuilder("{");
        String[] fields = {"\"type\":\"metrics\"", "\"run_id\":\"" + runId + "\"", "\"epoch\":" + epoch,
                "\"step\":" + step, "\"timestamp\":\"" + time + "\"",
                "\"metrics\":{\"" + name1 + "\":" + value1 + "," + space + "\"" + name2 + "\"" + space + ":" + value2 + "}"};
        for (int f = 0; f < fields.length; f++) {
            if ((omit & (1 << f)) == 0 || (omit & 64) != 0 && f == 2) {
                b.append(b.length() > 1 ? "," + space : space).append(fields[f]);
            }
        }
        byte[] line = b.append(space).append('}').toString().getBytes(StandardCharsets.UTF_8);
        sameAsTheTree(key, line);
        if (MetricsLine.read(line) != null && parser.parse(key, line, RECORD_TIME) instanceof ParseResult.Accepted) {
            COMMON_ACCEPTED.incrementAndGet();
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger COMMON_ACCEPTED = new java.util.concurrent.atomic.AtomicInteger();

    /** Lines of the common shape were read as events often enough for the property to say something. */
    @net.jqwik.api.lifecycle.AfterContainer
    static void manyWereAccepted() {
        assertThat(COMMON_ACCEPTED.get()).isGreaterThan(100);
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.of(null, "run-0000042", "r1", "run-1", "");
    }

    @Provide
    Arbitrary<String> spaces() {
        return Arbitraries.of("", " ", "\n", "\t \r\n", "\u00a0");
    }

    @Property(tries = 2000, seed = "2007")
    void anyEditOfACommonLine(@ForAll @Size(max = 3) List<Integer> positions,
                              @ForAll @Size(min = 3, max = 3) List<Character> replacements) {
        byte[] line = edited(COMMON, positions, replacements);
        sameAsTheTree(null, line);
        sameAsTheTree("run-0000042", line);
    }

    @Property(tries = 1000, seed = "2008")
    void anyCutOfACommonLine(@ForAll @IntRange(min = 0, max = 220) int cut, @ForAll("tails") String tail) {
        sameAsTheTree(null, (COMMON.substring(0, Math.min(cut, COMMON.length())) + tail).getBytes(StandardCharsets.UTF_8));
    }

    /** The shortcut is taken: the bench's and the Python client's lines are read by it (else the properties above prove little). */
    @Property(tries = 1)
    void theCommonLinesTakeTheShortcut() {
        assertThat(MetricsLine.read(COMMON.getBytes(StandardCharsets.UTF_8))).isNotNull();
        assertThat(MetricsLine.read(("{\"type\": \"metrics\", \"run_id\": \"r\", \"epoch\": 3, \"timestamp\": "
                + "\"2026-11-26T10:12:00.123456+00:00\", \"metrics\": {\"loss\": 1.5e-05, \"val_loss\": -0}}")
                .getBytes(StandardCharsets.UTF_8))).isNotNull();
        assertThat(MetricsLine.read("{\"run_id\":\"r\",\"epoch\":1,\"metrics\":{\"loss\":NaN}}".getBytes(StandardCharsets.UTF_8)))
                .isNull();
        assertThat(parser.parse(null, COMMON.getBytes(StandardCharsets.UTF_8), RECORD_TIME))
                .isEqualTo(parser.parseTree(null, COMMON.getBytes(StandardCharsets.UTF_8), RECORD_TIME));
    }

    // ---- the common line's own readings: its numbers (one pass, Clinger's fast path), its names (a table of bytes), its run id

    @Provide
    Arbitrary<String> decimals() {
        Arbitrary<String> digits = Arbitraries.strings().withChars("0123456789").ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> decimal = net.jqwik.api.Combinators.combine(Arbitraries.of("", "-"), digits, digits,
                        Arbitraries.of("", "e", "E", "e-", "e+", "E-"), Arbitraries.integers().between(0, 30), Arbitraries.of(true, false))
                .as((sign, whole, fraction, e, exponent, withFraction) -> sign + whole.replaceFirst("^0+(?=.)", "")
                        + (withFraction ? "." + fraction : "") + (e.isEmpty() ? "" : e + exponent));
        return Arbitraries.oneOf(decimal,
                Arbitraries.doubles().map(d -> Double.toString(d)),
                Arbitraries.doubles().between(-1e6, 1e6).map(d -> String.format(java.util.Locale.ROOT, "%.6g", d)),
                Arbitraries.doubles().between(0, 1).map(d -> String.format(java.util.Locale.ROOT, "%.4f", d)),
                Arbitraries.longs().between((1L << 53) - 20, (1L << 53) + 20).map(l -> l + ".0"),
                Arbitraries.longs().between((1L << 53) - 20, (1L << 53) + 20).map(l -> "0." + l),
                Arbitraries.integers().between(-25, 25).map(p -> "9007199254740991e" + p),
                Arbitraries.integers().between(-25, 25).map(p -> "1.5e" + p),
                Arbitraries.of("0.0", "-0.0", "0e0", "-0e400", "0.000e-999", "1e22", "1e23", "1e-22", "1e-23", "123456789012345678.5",
                        "999999999999999999", "-999999999999999999", "1000000000000000000", "4.9e-324", "2.2250738585072014E-308",
                        "1.7976931348623157e308", "1.7976931348623159e308", "0.30000000000000004", "9007199254740993.0",
                        "1" + "0".repeat(60) + ".0", "0." + "0".repeat(57) + "1"));
    }

    @Property(tries = 3000, seed = "2009")
    void anyNumberOfACommonLine(@ForAll("decimals") String value, @ForAll("keys") String key) {
        byte[] line = COMMON.replace("0.6,", value + ",").getBytes(StandardCharsets.UTF_8);
        sameAsTheTree(key, line);
        if (parser.parse(key, line, RECORD_TIME) instanceof ParseResult.Accepted a && value.matches("-?(0|[1-9][0-9]*)[.eE].*")) {
            // a number with a fraction or an exponent is Java's own reading of it, to the last bit
            assertThat(Double.doubleToRawLongBits(((dev.lossdoctor.core.MetricsReported) a.event()).metrics().get("val_loss")))
                    .as(value).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(value)));
        }
    }

    @Provide
    Arbitrary<String> knownNames() {
        Arbitrary<String> known = Arbitraries.of("train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr", "loss", "accuracy",
                "acc", "val_acc", "learning_rate", "train_acc", "eval_loss", "grad_norm", "val_f1", "val_mse", "epoch", "step");
        return Arbitraries.oneOf(known,
                known.map(n -> n.toUpperCase(java.util.Locale.ROOT)), known.map(n -> " " + n), known.map(n -> n + " "),
                known.map(n -> n.substring(1)), known.map(n -> n + "_"), known.map(n -> n.substring(0, n.length() - 1)),
                Arbitraries.strings().withChars("abcdefghilmnorstuv_").ofMaxLength(14));
    }

    @Property(tries = 2000, seed = "2010")
    void anyNamesOfACommonLine(@ForAll("knownNames") String name1, @ForAll("knownNames") String name2,
                               @ForAll("knownNames") String name3) {
        String line = "{\"type\":\"metrics\",\"run_id\":\"r1\",\"epoch\":3,\"metrics\":{\"" + name1 + "\":0.5,\"" + name2
                + "\":1.5,\"" + name3 + "\":2}}";
        sameAsTheTree(null, line.getBytes(StandardCharsets.UTF_8));
        sameAsTheTree("r1", line.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000, seed = "2011")
    void anyKeyAndRunIdOfACommonLine(@ForAll("runIds") String key, @ForAll("runIds") String runId) {
        byte[] line = COMMON.replace("run-0000042", runId).getBytes(StandardCharsets.UTF_8);
        sameAsTheTree(key, line);
        sameAsTheTree(null, line);
    }

    @Provide
    Arbitrary<String> runIds() {
        return Arbitraries.oneOf(Arbitraries.of("run-0000042", "run-0000043", "run-000004", "run-00000421", "RUN-0000042", "",
                        " ", "run\u00e9", "r\u0001"),
                Arbitraries.strings().withChars("run-0142é\u0001 ").ofMaxLength(12));
    }
}
