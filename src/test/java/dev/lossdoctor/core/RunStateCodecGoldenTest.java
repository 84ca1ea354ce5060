package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What is stored outlives the code: the bytes each released format wrote (golden blobs, written by
 * that release's code with {@link CodecGoldens#main}) still decode, to the state today's code
 * builds from the same events, and the run goes on to the same diagnoses.
 */
class RunStateCodecGoldenTest {

    /** Every format a release wrote. Never remove one: a store may still hold it. */
    static final List<String> VERSIONS = List.of("v1", "v2", "v3", "v4");
    /** The format today's code writes: its blobs must come out byte for byte. */
    static final String WRITTEN = "v" + RunStateCodec.VERSION;

    static Stream<Arguments> blobs() {
        List<Arguments> out = new ArrayList<>();
        for (String v : VERSIONS) {
            for (CodecGoldens.Scenario sc : CodecGoldens.scenarios(format(v))) {
                out.add(Arguments.of(v, sc));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("blobs")
    void shouldDecodeEveryReleasedFormatToTheSameStateAndTheSameNextDiagnoses(String version, CodecGoldens.Scenario sc)
            throws IOException {
        byte[] blob = HexFormat.of().parseHex(resource(version, sc.name() + ".hex").strip());

        RunState decoded = RunStateCodec.decode(blob);

        int format = format(version);
        RunState expectedState = CodecGoldens.asStoredIn(sc.stateBefore(), format);
        assertThat(decoded).as("%s %s decoded", version, sc.name()).isEqualTo(expectedState);
        // the newest format goes on exactly as its release recorded; an older one, as today's code
        // goes on from the same events with what that format could not hold started afresh
        List<String> expected = version.equals(WRITTEN) ? resource(version, sc.name() + ".next").lines().toList()
                : sc.next(expectedState);
        assertThat(sc.next(decoded)).as("%s %s: the rest of the run", version, sc.name()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldWriteTheNewestFormatByteForByte(CodecGoldens.Scenario sc) throws IOException {
        byte[] blob = HexFormat.of().parseHex(resource(WRITTEN, sc.name() + ".hex").strip());

        assertThat(HexFormat.of().formatHex(RunStateCodec.encode(sc.stateBefore()))).as(sc.name())
                .isEqualTo(HexFormat.of().formatHex(blob));
        assertThat(blob[0]).isEqualTo((byte) RunStateCodec.VERSION);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("v1Scenarios")
    void shouldUpgradeAnOldStateToTheNewestFormatOnItsNextWrite(CodecGoldens.Scenario sc) throws IOException {
        byte[] v1 = HexFormat.of().parseHex(resource("v1", sc.name() + ".hex").strip());
        byte[] newest = HexFormat.of().parseHex(resource(WRITTEN, sc.name() + ".hex").strip());

        assertThat(v1[0]).isEqualTo((byte) 1);
        assertThat(RunStateCodec.encode(RunStateCodec.decode(v1)))
                .isEqualTo(RunStateCodec.encode(CodecGoldens.asStoredIn(sc.stateBefore(), 1)));
        assertThat(RunStateCodec.encode(RunStateCodec.decode(newest))).isEqualTo(newest);
    }

    @Test
    void shouldKeepTheFirstAdviceToStopInTheNewestFormat() throws IOException {
        byte[] blob = HexFormat.of().parseHex(resource(WRITTEN, "advised.hex").strip());

        RunState decoded = RunStateCodec.decode(blob);

        assertThat(decoded.afterStopAdvice()).as("the advice the run was given before it was stored").isNotNull();
        assertThat(decoded.afterStopAdvice().diagnosis()).isEqualTo(Diagnosis.OVERFITTING);
        assertThat(decoded.afterStopAdvice().epochs()).isPositive();
    }

    @Test
    void shouldKeepTheRestartsInTheNewestFormat() throws IOException {
        byte[] blob = HexFormat.of().parseHex(resource(WRITTEN, "restarted.hex").strip());

        RunState decoded = RunStateCodec.decode(blob);

        assertThat(decoded.restarts()).isEqualTo(1);
        assertThat(decoded.points()).as("12 epochs kept, 2 of the resumed training").isEqualTo(14);
        assertThat(decoded.current()).as("said before the restart, standing until new readings settle")
                .isEqualTo(Diagnosis.OVERFITTING);
        assertThat(resource(WRITTEN, "restarted.next")).as("the run learns again after the restart")
                .contains("learning previous=overfitting epoch=15");
    }

    static Stream<CodecGoldens.Scenario> scenarios() {
        return CodecGoldens.scenarios(RunStateCodec.VERSION).stream();
    }

    /** Scenarios that v1 has blobs of, for the upgrade from it. */
    static Stream<CodecGoldens.Scenario> v1Scenarios() {
        return CodecGoldens.scenarios(1).stream();
    }

    private static int format(String version) {
        return Integer.parseInt(version.substring(1));
    }

    private static String resource(String version, String name) throws IOException {
        try (InputStream in = RunStateCodecGoldenTest.class.getResourceAsStream("/codec/" + version + "/" + name)) {
            assertThat(in).as("golden file %s/%s", version, name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
