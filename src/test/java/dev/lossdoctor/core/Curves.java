package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers the curve tests share: textbook curve shapes and assertions on diagnosis timelines. */
final class Curves {

    /** Diagnoses that are not a problem: nothing a person should act on. */
    static final Set<Diagnosis> HEALTHY = EnumSet.of(Diagnosis.WARMING_UP, Diagnosis.LEARNING, Diagnosis.CONVERGED,
            Diagnosis.UNDERTRAINED);

    private Curves() {
    }

    /** {@code floor + (start - floor) * exp(-(e - 1) / tau)}: an exponential descent from {@code start} at epoch 1. */
    static double decay(double e, double start, double floor, double tau) {
        return floor + (start - floor) * Math.exp(-(e - 1) / tau);
    }

    /**
     * A U-shaped validation curve: an exponential descent to {@code best} at {@code bestEpoch},
     * then a straight climb of {@code climb} per epoch.
     */
    static double uShape(double e, double start, double best, double bestEpoch, double climb) {
        if (e <= bestEpoch) {
            double tau = (bestEpoch - 1) / 2.5;
            double floor = best - (start - best) * Math.exp(-2.5) / (1 - Math.exp(-2.5));
            return decay(e, start, floor, tau);
        }
        return best + climb * (e - bestEpoch);
    }

    /** Every event's {@code previous} is the code of the event before it, and no two events in a row say the same. */
    static void assertWellFormedTimeline(List<DiagnosisEvent> events) {
        Diagnosis before = null;
        for (DiagnosisEvent e : events) {
            assertThat(e.previous()).as("previous of %s at epoch %s", e.diagnosis(), e.epoch()).isEqualTo(before);
            assertThat(e.diagnosis()).as("an event at epoch %s repeats the diagnosis", e.epoch()).isNotEqualTo(before);
            assertThat(e.summary()).isNotBlank();
            assertThat(e.recommendations()).isNotEmpty();
            assertThat(e.severity()).isEqualTo(e.diagnosis().severity());
            assertThat(e.confidence()).isBetween(0.0, 1.0);
            before = e.diagnosis();
        }
    }

    /** The number before "%" that follows {@code prefix} in {@code text}, as a ratio (12% gives 0.12). */
    static double percentAfter(String text, String prefix) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + "\\s*(-?[0-9]+(?:\\.[0-9]+)?)%").matcher(text);
        assertThat(m.find()).as("'%s<number>%%' in: %s", prefix, text).isTrue();
        return Double.parseDouble(m.group(1)) / 100;
    }

    /** The number that follows {@code prefix} in {@code text}. */
    static double numberAfter(String text, String prefix) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + "(-?[0-9]+(?:\\.[0-9]+)?(?:e[-+]?[0-9]+)?)").matcher(text);
        assertThat(m.find()).as("'%s<number>' in: %s", prefix, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    static double asDouble(Object evidenceValue) {
        assertThat(evidenceValue).isInstanceOf(Number.class);
        return ((Number) evidenceValue).doubleValue();
    }

    static long asLong(Object evidenceValue) {
        assertThat(evidenceValue).isInstanceOf(Number.class);
        return ((Number) evidenceValue).longValue();
    }
}
