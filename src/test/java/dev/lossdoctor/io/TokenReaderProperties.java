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
        assertThat(parser.parse(key, value, RECORD_TIME))
                .as("%s", new String(value, StandardCharsets.UTF_8))
                .isEqualTo(parser.parseTree(key, value, RECORD_TIME));
    }

    @Property(tries = 2000, seed = "2001")
    void anyJsonObject(@ForAll("jsonObjects") String json) {
        sameAsTheTree(null, json.getBytes(StandardCharsets.UTF_8));
        sameAsTheTree("r1", json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500, seed = "2002")
    void anyJsonValue(@ForAll("jsonValues") String json) {
        sameAsTheTree("k", json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000, seed = "2003")
    void anyEditOfAValidEvent(@ForAll @Size(max = 5) List<Integer> positions,
                              @ForAll @Size(min = 5, max = 5) List<Character> replacements) {
        StringBuilder b = new StringBuilder(VALID);
        for (int i = 0; i < positions.size(); i++) {
            b.setCharAt(Math.floorMod(positions.get(i), b.length()), replacements.get(i));
        }
        sameAsTheTree(null, b.toString().getBytes(StandardCharsets.UTF_8));
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
}
