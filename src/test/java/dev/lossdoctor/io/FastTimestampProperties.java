package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The parser's fast path for {@code yyyy-MM-ddTHH:mm:ssZ} reads exactly what {@link Instant#parse} reads. */
class FastTimestampProperties {

    @Property(tries = 2000, seed = "42")
    void fastPathAgreesWithInstantParse(@ForAll @LongRange(min = 0, max = 253_402_300_799L) long epochSecond) {
        String text = Instant.ofEpochSecond(epochSecond).toString();
        assertThat(EventParser.fastUtc(text)).isEqualTo(Instant.parse(text));
    }

    @Property(tries = 500, seed = "7")
    void fastPathDeclinesWhatItDoesNotKnow(@ForAll String text) {
        Instant fast = EventParser.fastUtc(text);
        if (fast != null) {
            assertThat(fast).isEqualTo(Instant.parse(text));
        }
    }

    @Property(tries = 1)
    void fastPathDeclinesImpossibleDatesAndOtherForms() {
        assertThat(EventParser.fastUtc("2026-02-30T10:00:00Z")).isNull();
        assertThat(EventParser.fastUtc("2026-11-26T24:00:00Z")).isNull();
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00.5Z")).isNull();
        assertThat(EventParser.fastUtc("2026-11-26T10:00:00+01:00")).isNull();
    }
}
