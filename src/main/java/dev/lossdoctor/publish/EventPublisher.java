package dev.lossdoctor.publish;

import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.streams.TrainingEventSerde;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends training events to the metrics topic the way a careful trainer does: key = run id (so
 * Kafka's default partitioner puts a run on one partition and its order is kept), value = the
 * event in the input's wire form (DESIGN.md section 2), written by {@link TrainingEventSerde}, the
 * one writer of that form, which the stream also uses for its repartition topic. Idempotent, acks
 * from all in-sync replicas. Counts what was sent, acknowledged and lost.
 */
public final class EventPublisher implements AutoCloseable {

    /** Kafka client settings of the producer that this class fixes: order and no duplicates depend on them. */
    public static final Map<String, String> FIXED = Map.of(
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.ACKS_CONFIG, "all");

    private static final String PRODUCER_PREFIX = "producer.";

    private final Producer<String, TrainingEvent> producer;
    private final String topic;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();

    /** Publishes with {@code producer} (closed by {@link #close}); for tests, a {@code MockProducer}. */
    public EventPublisher(Producer<String, TrainingEvent> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A publisher with a real producer configured by {@code properties} (see {@link #producerProperties}). */
    public static EventPublisher connect(Properties properties, String topic) {
        return new EventPublisher(new KafkaProducer<>(properties, new StringSerializer(), new TrainingEventSerde()), topic);
    }

    /**
     * The producer's settings: the Kafka client settings given ({@code kafka.} keys of the config,
     * prefix removed: security, SASL, TLS...) that a producer knows, then those given as
     * {@code producer.<setting>} (as Kafka Streams reads them), then {@link #FIXED}.
     *
     * @param maxBlock how long a send may wait for Kafka (metadata, a full buffer) before failing
     */
    public static Properties producerProperties(String bootstrapServers, Map<String, String> kafkaSettings, Duration maxBlock,
                                                String clientId) {
        Set<String> known = ProducerConfig.configNames();
        Properties p = new Properties();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(maxBlock.toMillis()));
        // a backfill sends thousands of small records at once: fuller batches, fewer requests
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
        kafkaSettings.forEach((k, v) -> {
            if (known.contains(k)) {
                p.put(k, v);
            }
        });
        kafkaSettings.forEach((k, v) -> {
            if (k.startsWith(PRODUCER_PREFIX) && known.contains(k.substring(PRODUCER_PREFIX.length()))) {
                p.put(k.substring(PRODUCER_PREFIX.length()), v);
            }
        });
        p.putAll(FIXED);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /**
     * Hands one event to the producer, keyed by its run id.
     *
     * @param timestampMillis the record's timestamp; null: the producer's clock (the send time)
     */
    public void send(TrainingEvent event, Long timestampMillis) {
        sent.incrementAndGet();
        producer.send(new ProducerRecord<>(topic, null, timestampMillis, event.runId(), event), (metadata, error) -> {
            if (error == null) {
                acked.incrementAndGet();
            } else {
                failed.incrementAndGet();
                firstError.compareAndSet(null, error);
            }
        });
    }

    /**
     * Fetches the topic's partitions (the broker creates the topic here when it creates topics on
     * first use), waiting at most the producer's {@code max.block.ms}: the first send then has no
     * metadata to wait for, and a paced replay's clock starts on time.
     *
     * @return the number of partitions
     * @throws org.apache.kafka.common.KafkaException the topic is not there in time, or may not be written
     */
    public int awaitTopic() {
        return producer.partitionsFor(topic).size();
    }

    /** Waits until every event sent so far is acknowledged or has failed. */
    public void flush() {
        producer.flush();
    }

    public String topic() {
        return topic;
    }

    /** Events handed to the producer. */
    public long sent() {
        return sent.get();
    }

    /** Events the broker acknowledged. */
    public long acked() {
        return acked.get();
    }

    /** Events the producer gave up on. */
    public long failed() {
        return failed.get();
    }

    /** The first delivery error, or null. */
    public Exception firstError() {
        return firstError.get();
    }

    /** Delivers what was sent (waiting at most {@code timeout}) and closes the producer. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
