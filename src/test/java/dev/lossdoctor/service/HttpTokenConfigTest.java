package dev.lossdoctor.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class HttpTokenConfigTest {

    @Test
    void shouldLeaveRunsOpenByDefault() {
        assertThat(AppConfig.defaults().httpToken()).isEmpty();
    }

    @Test
    void shouldTakeTheTokenFromTheEnvironmentAndTheFlagOverIt() {
        AppConfig fromEnv = AppConfig.load(null, Map.of("LOSSDOCTOR_HTTP_TOKEN", "from-env"), new Properties(), Map.of());
        assertThat(fromEnv.httpToken()).hasValue("from-env");
        assertThat(fromEnv.origin(AppConfig.HTTP_TOKEN)).isEqualTo("environment variable LOSSDOCTOR_HTTP_TOKEN");
        AppConfig fromFlag = AppConfig.load(null, Map.of("LOSSDOCTOR_HTTP_TOKEN", "from-env"), new Properties(),
                Map.of(AppConfig.HTTP_TOKEN, "from-flag"));
        assertThat(fromFlag.httpToken()).hasValue("from-flag");
    }

    @Test
    void shouldKeepTheTokenOutOfTheLoggedConfig() {
        assertThat(AppConfig.of(Map.of(AppConfig.HTTP_TOKEN, "s3cret-token")).toString()).doesNotContain("s3cret-token")
                .contains("http.token=[hidden]");
    }
}
