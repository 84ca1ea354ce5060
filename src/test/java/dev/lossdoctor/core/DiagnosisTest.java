package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stored state depends on the diagnosis ids: they are a fixed table, whatever the enum's order. */
class DiagnosisTest {

    @Test
    void shouldKeepEveryIdOfTheTable() {
        Map<Diagnosis, Integer> ids = new LinkedHashMap<>();
        Arrays.stream(Diagnosis.values()).forEach(d -> ids.put(d, d.id()));

        assertThat(ids).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry(Diagnosis.WARMING_UP, 0), Map.entry(Diagnosis.LEARNING, 1), Map.entry(Diagnosis.CONVERGED, 2),
                Map.entry(Diagnosis.UNDERTRAINED, 3), Map.entry(Diagnosis.OVERFITTING, 4), Map.entry(Diagnosis.PLATEAU, 5),
                Map.entry(Diagnosis.DATA_ISSUE, 6), Map.entry(Diagnosis.OSCILLATING, 7), Map.entry(Diagnosis.UNDERFITTING, 8),
                Map.entry(Diagnosis.STALLED, 9), Map.entry(Diagnosis.MISCONFIGURED, 10), Map.entry(Diagnosis.DIVERGING, 11),
                Map.entry(Diagnosis.LAGGING, 12)));
    }

    @Test
    void shouldGiveLaggingTheIdReservedForIt() {
        assertThat(Diagnosis.LAGGING_ID).isEqualTo(12);
        assertThat(Diagnosis.byId(Diagnosis.LAGGING_ID)).isSameAs(Diagnosis.LAGGING);
        assertThat(Diagnosis.LAGGING.severity()).isEqualTo(Severity.WARNING);
        assertThatThrownBy(() -> Diagnosis.byId(13)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("13");
    }

    @Test
    void shouldFindEachDiagnosisByItsIdAndRefuseUnknownOnes() {
        for (Diagnosis d : Diagnosis.values()) {
            assertThat(Diagnosis.byId(d.id())).isSameAs(d);
        }
        assertThatThrownBy(() -> Diagnosis.byId(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Diagnosis.byId(200)).isInstanceOf(IllegalArgumentException.class);
    }
}
