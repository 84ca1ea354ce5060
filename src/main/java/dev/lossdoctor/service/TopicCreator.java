package dev.lossdoctor.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the service's topics at start when they are missing, with the configured partitions and
 * replication (the broker's defaults when not configured); the status topic is compacted. Topics
 * that exist are left as they are.
 */
public final class TopicCreator {

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    private TopicCreator() {
    }

    /**
     * @return the topics it created
     * @throws StartupException when Kafka does not answer within the config's startup timeout
     */
    public static List<String> createMissing(AppConfig config) {
        Duration timeout = config.startupTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Integer> partitions = config.topicPartitions();
        Optional<Short> replication = config.topicReplicationFactor();
        List<NewTopic> wanted = List.of(
                new NewTopic(config.topics().metrics().name(), partitions, replication),
                new NewTopic(config.topics().diagnoses().name(), partitions, replication),
                new NewTopic(config.topics().status().name(), partitions, replication)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(config.topics().dlq().name(), partitions, replication));
        Admin admin = Admin.create(config.adminProperties());
        try {
            Set<String> existing = admin.listTopics().names().get(remaining(deadline), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : wanted) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (missing.isEmpty()) {
                return List.of();
            }
            List<String> created = new ArrayList<>();
            Map<String, org.apache.kafka.common.KafkaFuture<Void>> results = admin.createTopics(missing).values();
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> r : results.entrySet()) {
                try {
                    r.getValue().get(remaining(deadline), TimeUnit.MILLISECONDS);
                    created.add(r.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // another instance was quicker: fine
                        throw new StartupException("can't create topic " + r.getKey() + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
            log.info("Created topics {} ({} partitions, replication {})", created,
                    partitions.map(String::valueOf).orElse("broker default"),
                    replication.map(String::valueOf).orElse("broker default"));
            return created;
        } catch (TimeoutException e) {
            throw new StartupException("Kafka at " + config.bootstrapServers() + " did not answer within "
                    + Durations.format(timeout) + " (is it running, and are bootstrap.servers and the security settings right?)", e);
        } catch (ExecutionException e) {
            throw new StartupException("can't list the topics of Kafka at " + config.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while connecting to Kafka", e);
        } finally {
            admin.close(Duration.ofSeconds(2)); // don't wait out the client's own timeouts for a broker that isn't there
        }
    }

    /** The names of the topics the service reads and writes. */
    public static Collection<String> names(AppConfig config) {
        return List.of(config.topics().metrics().name(), config.topics().diagnoses().name(),
                config.topics().status().name(), config.topics().dlq().name());
    }

    private static long remaining(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
