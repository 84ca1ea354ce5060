package dev.lossdoctor.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.schemas.SchemaChecks;
import dev.lossdoctor.schemas.Schemas;
import dev.lossdoctor.testing.PrometheusScrape;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * What the service's integration tests share: a service config for a test broker, real clients, HTTP, scrapes.
 * What the clients send and read, and {@code GET /runs} answers, are validated against the topics' schemas.
 */
final class ItSupport {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** How long a test waits for the service to do something. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private ItSupport() {
    }

    /** A service on an ephemeral port with quick commits, for a test broker. */
    static AppConfig config(EmbeddedKafkaBroker broker, Path stateDir, int partitions) {
        return AppConfig.of(Map.of(
                AppConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                AppConfig.STATE_DIR, stateDir.toString(),
                AppConfig.HTTP_HOST, "127.0.0.1",
                AppConfig.HTTP_PORT, "0",
                AppConfig.TOPIC_PARTITIONS, Integer.toString(partitions),
                AppConfig.TOPIC_REPLICATION_FACTOR, "1",
                "kafka.commit.interval.ms", "100",
                "kafka.num.stream.threads", "1"));
    }

    /** A producer whose every value is validated against its topic's schema as it is sent. */
    static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(producerProperties(broker), new StringSerializer(), SchemaChecks.sending(new StringSerializer()));
    }

    /** Sends a value meant to be rejected (the schema rejects it too) to the input topic, and waits for the ack. */
    static void sendPoison(EmbeddedKafkaBroker broker, String key, String value) throws Exception {
        try (KafkaProducer<String, String> poisoning = new KafkaProducer<>(producerProperties(broker), new StringSerializer(),
                SchemaChecks.poisoning(new StringSerializer()))) {
            poisoning.send(new ProducerRecord<>(Schemas.METRICS, key, value)).get();
        }
    }

    private static Properties producerProperties(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    /**
     * Reads a topic from the start, committed records only, until {@code done} says so; fails after {@link #WAIT}.
     * Each record is validated against its topic's schemas as it is read.
     */
    static <V> List<ConsumerRecord<String, V>> consume(EmbeddedKafkaBroker broker, String topic, Deserializer<V> values,
                                                       java.util.function.Predicate<List<ConsumerRecord<String, V>>> done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = SchemaChecks.consumer(p, values)) {
            // every partition from the start, without a group to join
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await("the records wanted from " + topic).atMost(WAIT).pollInSameThread().pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return done.test(records);
                    });
        }
        return records;
    }

    record Http(int status, String body) {
    }

    static Http get(int port, String pathAndQuery) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            SchemaChecks.httpAnswer(pathAndQuery, r.statusCode(), r.body());
            return new Http(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A scrape of the service's {@code /metrics}. */
    static PrometheusScrape metrics(int port) {
        Http response = get(port, "/metrics");
        assertThat(response.status()).as("GET /metrics").isEqualTo(200);
        return PrometheusScrape.parse(response.body());
    }
}
