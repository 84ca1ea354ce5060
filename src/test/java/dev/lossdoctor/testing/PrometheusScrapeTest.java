package dev.lossdoctor.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrometheusScrapeTest {

    private static final String TEXT = """
            # HELP lossdoctor_runs Runs held by this instance
            # TYPE lossdoctor_runs gauge
            lossdoctor_runs{diagnosis="diverging",} 2.0
            lossdoctor_runs{diagnosis="learning"} 3.0
            lossdoctor_run_diagnosis{diagnosis="overfitting",run_id="team/exp \\"1\\", a\\\\b",severity="warning"} 1.0
            lossdoctor_processing_lag_seconds NaN
            lossdoctor_streams_running 1.0 1700000000000
            kafka_consumer_fetch_latency_max -Inf
            """;

    @Test
    void shouldReadNamesLabelsAndValues() {
        PrometheusScrape scrape = PrometheusScrape.parse(TEXT);

        assertThat(scrape.samples()).hasSize(6);
        assertThat(scrape.value("lossdoctor_runs", "diagnosis", "diverging")).contains(2.0);
        assertThat(scrape.sum("lossdoctor_runs")).isEqualTo(5.0);
        assertThat(scrape.require("lossdoctor_run_diagnosis", "run_id", "team/exp \"1\", a\\b", "severity", "warning"))
                .isEqualTo(1.0);
        assertThat(scrape.value("lossdoctor_processing_lag_seconds")).hasValueSatisfying(v -> assertThat(v).isNaN());
        assertThat(scrape.require("lossdoctor_streams_running")).isEqualTo(1.0);
        assertThat(scrape.require("kafka_consumer_fetch_latency_max")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(scrape.value("lossdoctor_runs", "diagnosis", "plateau")).isEmpty();
        assertThat(scrape.names()).containsExactly("lossdoctor_runs", "lossdoctor_run_diagnosis",
                "lossdoctor_processing_lag_seconds", "lossdoctor_streams_running", "kafka_consumer_fetch_latency_max");
    }

    @Test
    void shouldFailOnALineThatIsNotASample() {
        assertThatThrownBy(() -> PrometheusScrape.parse("lossdoctor_runs{diagnosis=diverging} 1"))
                .hasMessageContaining("line 1 of the scrape is not a sample");
        assertThatThrownBy(() -> PrometheusScrape.parse("x 1").require("y")).hasMessageContaining("no sample y");
    }
}
