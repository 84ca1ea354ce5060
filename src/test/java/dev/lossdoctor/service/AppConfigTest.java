package dev.lossdoctor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("loss-doctor.properties");
        Files.write(f, java.util.List.of(lines));
        return f;
    }

    private static Properties system(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void shouldTakeEachSettingFromTheHighestLayerThatSetsIt() throws IOException {
        Path config = file(
                "stall.after=45m",           // file only
                "http.port=9001",            // file, then env
                "application.id=from-file",  // file, env, system property
                "max.run.gauges=10");        // file, env, system property, flag
        Map<String, String> env = Map.of(
                "LOSSDOCTOR_HTTP_PORT", "9002",
                "LOSSDOCTOR_APPLICATION_ID", "from-env",
                "LOSSDOCTOR_MAX_RUN_GAUGES", "20",
                "LOSSDOCTOR_BOOTSTRAP_SERVERS", "env-broker:9092",
                "PATH", "/usr/bin");
        Properties sys = system(
                "lossdoctor.application.id", "from-system",
                "lossdoctor.max.run.gauges", "30",
                "java.version", "17");
        Map<String, String> flags = Map.of("max.run.gauges", "40");

        AppConfig c = AppConfig.load(config, env, sys, flags);

        assertThat(c.idleAfter()).as("default").isEqualTo(Duration.ofHours(24));
        assertThat(c.stallAfter()).as("file over default").isEqualTo(Duration.ofMinutes(45));
        assertThat(c.httpPort()).as("env over file").isEqualTo(9002);
        assertThat(c.bootstrapServers()).as("env over default").isEqualTo("env-broker:9092");
        assertThat(c.applicationId()).as("system property over env").isEqualTo("from-system");
        assertThat(c.maxRunGauges()).as("flag over everything").isEqualTo(40);
        assertThat(c.origin("http.port")).isEqualTo("environment variable LOSSDOCTOR_HTTP_PORT");
        assertThat(c.origin("stall.after")).isEqualTo("stall.after in " + config);
        assertThat(c.origin("idle.after")).isEqualTo("default");
    }

    @Test
    void shouldHaveTheDocumentedDefaults() {
        AppConfig c = AppConfig.defaults();

        assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(c.applicationId()).isEqualTo("loss-doctor");
        assertThat(c.httpHost()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.topics().metrics().name()).isEqualTo("training-metrics");
        assertThat(c.topics().diagnoses().name()).isEqualTo("training-diagnoses");
        assertThat(c.topics().status().name()).isEqualTo("training-run-status");
        assertThat(c.topics().dlq().name()).isEqualTo("training-metrics-dlq");
        assertThat(c.stallAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.maxLiveRuns()).isEqualTo(100_000);
        assertThat(c.maxRunGauges()).isEqualTo(200);
        assertThat(c.topicPartitions()).isEmpty();
        assertThat(c.stateDir()).isEmpty();
        assertThat(c.topologyConfig(dev.lossdoctor.streams.AnalysisMetrics.NONE).stateStore())
                .isEqualTo(dev.lossdoctor.streams.TopologyConfig.StateStore.ROCKSDB);
        assertThat(c.streamsProperties("h:1")).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
                .containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG, "h:1")
                .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
    }

    @Test
    void shouldKeepTheStatesInMemoryWhenToldSo() {
        AppConfig c = AppConfig.load(null, Map.of("LOSSDOCTOR_STATE_STORE", "MEMORY"), new Properties(), Map.of());
        assertThat(c.topologyConfig(dev.lossdoctor.streams.AnalysisMetrics.NONE).stateStore())
                .isEqualTo(dev.lossdoctor.streams.TopologyConfig.StateStore.MEMORY);
        assertThatThrownBy(() -> AppConfig.load(null, Map.of(), new Properties(), Map.of("state.store", "disk")))
                .hasMessage("state.store (command line): 'disk' is neither rocksdb nor memory");
        // a Kafka Streams setting the service sets has the last word only when given with kafka.
        assertThat(AppConfig.load(null, Map.of(), new Properties(), Map.of("kafka.max.task.idle.ms", "0"))
                .streamsProperties(null)).containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "0");
    }

    @Test
    void shouldPassKafkaSettingsThroughFromTheFileTheEnvironmentAndSystemProperties() throws IOException {
        Path config = file(
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.mechanism=PLAIN",
                "kafka.commit.interval.ms=1000");
        Map<String, String> env = Map.of(
                "LOSSDOCTOR_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "LOSSDOCTOR_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.jks");
        Properties sys = system("lossdoctor.kafka.processing.guarantee", "at_least_once");

        AppConfig c = AppConfig.load(config, env, sys, Map.of());
        Properties streams = c.streamsProperties("host:8080");

        assertThat(c.kafka()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks");
        assertThat(streams).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("commit.interval.ms", "1000")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
        assertThat(c.adminProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "localhost:9092");
    }

    @Test
    void shouldReadDurationsInShortAndIsoForm() {
        assertThat(AppConfig.of(Map.of("stall.after", "90s")).stallAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(AppConfig.of(Map.of("stall.after", "PT2H")).stallAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(AppConfig.of(Map.of("stall.after", "1d")).stallAfter()).isEqualTo(Duration.ofDays(1));
        assertThat(AppConfig.of(Map.of("stall.after", "500ms")).stallAfter()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void shouldNameTheSettingAndWhereItCameFromWhenAValueIsBad() {
        assertThatThrownBy(() -> AppConfig.load(null, Map.of("LOSSDOCTOR_STALL_AFTER", "soon"), new Properties(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stall.after (environment variable LOSSDOCTOR_STALL_AFTER): 'soon' is not a duration "
                        + "(write it like 30m, 90s, 2h, 500ms, 1d or PT30M)");
        assertThatThrownBy(() -> AppConfig.load(null, Map.of(), new Properties(), Map.of("http.port", "70000")))
                .hasMessage("http.port (command line) must be between 0 and 65535, not 70000");
    }

    @Test
    void shouldRejectAnUnknownKeyInTheFileButOnlyWarnAboutOneInTheEnvironment() throws IOException {
        Path config = file("stal.after=5m");
        assertThatThrownBy(() -> AppConfig.load(config, Map.of(), new Properties(), Map.of()))
                .hasMessageContaining("unknown setting 'stal.after'");

        AppConfig c = AppConfig.load(null, Map.of("LOSSDOCTOR_SERVICE_HOST", "10.0.0.1"), new Properties(), Map.of());
        assertThat(c.values()).doesNotContainKey("service.host");
    }

    @Test
    void shouldSayWhenTheConfigFileCantBeRead() {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> AppConfig.load(missing, Map.of(), new Properties(), Map.of()))
                .hasMessage("can't read the config file " + missing + ": no such file");
    }

    @Test
    void shouldRefuseKafkaPrefixedCopiesOfTheSettingsItSetsItself() {
        assertThatThrownBy(() -> AppConfig.of(Map.of("kafka.bootstrap.servers", "b:9092")))
                .hasMessageContaining("set bootstrap.servers without the kafka. prefix");
    }

    @Test
    void shouldGiveEachStreamThreadsMainConsumerTheInstanceIdForStaticMembership() {
        AppConfig c = AppConfig.load(null, Map.of("LOSSDOCTOR_INSTANCE_ID", "loss-doctor-0"), new Properties(), Map.of());

        assertThat(c.instanceId()).contains("loss-doctor-0");
        // what Kafka Streams itself makes of the properties for stream thread 2's consumers
        StreamsConfig streams = new StreamsConfig(c.streamsProperties("host:8080"));
        assertThat(streams.getMainConsumerConfigs("loss-doctor", "client-2", 2))
                .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "loss-doctor-0-2");
        assertThat(streams.getRestoreConsumerConfigs("client-2-restore")).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        assertThat(streams.getGlobalConsumerConfigs("client-global")).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }

    @Test
    void shouldLeaveMembershipDynamicWithoutAnInstanceId() {
        AppConfig c = AppConfig.defaults();

        assertThat(c.instanceId()).isEmpty();
        assertThat(new StreamsConfig(c.streamsProperties(null)).getMainConsumerConfigs("loss-doctor", "client-1", 1))
                .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }

    @Test
    void shouldRefuseAnInstanceIdKafkaWouldRejectAndAKafkaPrefixedOne() {
        assertThatThrownBy(() -> AppConfig.load(null, Map.of(), new Properties(), Map.of("instance.id", "pod 0")))
                .hasMessage("instance.id (command line): 'pod 0' is not a Kafka group.instance.id: use 1 to 240 letters, "
                        + "digits, '.', '_' or '-'");
        assertThatThrownBy(() -> AppConfig.of(Map.of("instance.id", "x".repeat(241)))).hasMessageContaining("is not a Kafka group.instance.id");
        assertThatThrownBy(() -> AppConfig.of(Map.of("instance.id", ".."))).hasMessageContaining("is not a Kafka group.instance.id");
        assertThatThrownBy(() -> AppConfig.of(Map.of("kafka.group.instance.id", "pod-0")))
                .hasMessage("setting kafka.group.instance.id: set instance.id without the kafka. prefix "
                        + "(the service sets group.instance.id itself)");
        assertThatThrownBy(() -> AppConfig.of(Map.of("kafka.main.consumer.group.instance.id", "pod-0")))
                .hasMessageContaining("set instance.id without the kafka. prefix");
    }

    @Test
    void shouldOverrideOneSettingWithWith() {
        AppConfig c = AppConfig.of(Map.of("http.port", "0")).with("kafka.commit.interval.ms", "100");

        assertThat(c.httpPort()).isZero();
        assertThat(c.streamsProperties(null)).containsEntry("commit.interval.ms", "100");
    }

    @Test
    void shouldTakeTheSweepPercentileAsAnalyzeDoesAndHandItToTheTopology() {
        assertThat(AppConfig.defaults().sweepRule()).isEqualTo(dev.lossdoctor.core.SweepRule.DEFAULT);
        assertThat(AppConfig.defaults().sweepRule().percentile()).isEqualTo(20);
        AppConfig median = AppConfig.load(null, Map.of("LOSSDOCTOR_SWEEP_PERCENTILE", "50"), new Properties(), Map.of());
        assertThat(median.sweepRule().percentile()).isEqualTo(50);
        assertThat(median.topologyConfig(dev.lossdoctor.streams.AnalysisMetrics.NONE).sweepRule().percentile()).isEqualTo(50);
        assertThatThrownBy(() -> AppConfig.load(null, Map.of(), new Properties(), Map.of("sweep.percentile", "half")))
                .hasMessage("sweep.percentile (command line): 'half' is not a number");
        assertThatThrownBy(() -> AppConfig.of(Map.of("sweep.percentile", "100")))
                .hasMessageStartingWith("sweep.percentile (setting sweep.percentile): percentile must be in (0, 100)");
    }
}
