package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The parser's fast path for the common ISO-8601 forms reads exactly what the general parser reads. */
class FastTimestampProperties {

    @Property(tries = 2000, seed = "42")
    void fastPathAgreesWithInstantParse(@ForAll @LongRange(min = 0, max = 253_402_300_799L) long epochSecond,
                                        @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
        for (Instant at : new Instant[] {Instant.ofEpochSecond(epochSecond), Instant.ofEpochSecond(epochSecond, nanos),
                Instant.ofEpochSecond(epochSecond, nanos / 1_000_000 * 1_000_000)}) {
            String text = at.toString();
            assertThat(EventParser.fastUtc(text)).as(text).isEqualTo(at).isEqualTo(EventParser.isoInstant(text));
        }
    }

    /** Python's {@code datetime.isoformat()}: microseconds and an offset such as {@code +00:00} or {@code -05:30}. */
    @Property(tries = 2000, seed = "43")
    void fastPathReadsOffsetsAsTheGeneralParserDoes(@ForAll @LongRange(min = 86_400, max = 253_402_000_000L) long epochSecond,
                                                   @ForAll @IntRange(min = 0, max = 999_999) int micros,
                                                   @ForAll @IntRange(min = -18 * 4, max = 18 * 4) int quarterHours) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(quarterHours * 900);
        String text = OffsetDateTime.ofInstant(Instant.ofEpochSecond(epochSecond, micros * 1_000L), offset)
                .format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx"));
        assertThat(EventParser.fastUtc(text)).as(text).isEqualTo(EventParser.isoInstant(text));
    }

    @Property(tries = 500, seed = "7")
    void fastPathDeclinesWhatItDoesNotKnow(@ForAll String text) {
        Instant fast = EventParser.fastUtc(text);
        if (fast != null) {
            assertThat(fast).isEqualTo(EventParser.isoInstant(text));
        }
    }

    @Property(tries = 1)
    void fastPathReadsTheCommonFormsAndDeclinesTheRest() {
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00.5Z")).isEqualTo(Instant.parse("2026-11-26T10:00:00.500Z"));
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00+01:00")).isEqualTo(Instant.parse("2026-11-26T09:00:00Z"));
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00.123456-05:30")).isEqualTo(Instant.parse("2026-11-26T15:30:00.123456Z"));
        assertThat(EventParser.fastUtc("2026-02-30T10:00:00Z")).isNull();
        assertThat(EventParser.fastUtc("2026-11-26T24:00:00Z")).isNull();
        assertThat(EventParser.fastUtc("2026-11-26T23:59:60Z")).isNull(); // a leap second: the general parser's
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00.Z")).isNull();
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00.1234567891Z")).isNull(); // 10 digits
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00+19:00")).isNull();
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00+0100")).isNull();
        assertThat(EventParser.fastUtc("2026-11-26 10:00:00Z")).isNull();
    }

    /** The common line's reading of its timestamp where it stands among the line's bytes: what the text's reading says. */
    @Property(tries = 1000, seed = "44")
    void fastPathReadsTheSameInALine(@ForAll @LongRange(min = 0, max = 253_402_300_799L) long epochSecond,
                                     @ForAll @IntRange(min = 0, max = 999_999_999) int nanos, @ForAll @IntRange(min = 0, max = 30) int cut,
                                     @ForAll @IntRange(min = -18 * 4, max = 18 * 4) int quarterHours) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(quarterHours * 900);
        Instant at = Instant.ofEpochSecond(epochSecond, nanos);
        for (String text : new String[] {at.toString(), OffsetDateTime.ofInstant(at, offset).toString()}) {
            String part = text.substring(0, Math.max(0, text.length() - cut));
            byte[] line = ("{\"timestamp\":\"" + part + "\"}").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(EventParser.fastUtc(line, 14, 14 + part.length())).as(part).isEqualTo(EventParser.fastUtc(part));
        }
    }
}
