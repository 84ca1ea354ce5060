package dev.lossdoctor.service;

import dev.lossdoctor.core.SweepRule;
import dev.lossdoctor.streams.AnalysisMetrics;
import dev.lossdoctor.streams.CloudEventsHeaders;
import dev.lossdoctor.streams.TopologyConfig;
import dev.lossdoctor.streams.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's settings, from four layers, each overriding the one before:
 * <ol>
 *   <li>defaults;</li>
 *   <li>the {@code --config} properties file ({@code stall.after=45m}; Kafka settings as
 *       {@code kafka.<property>}, e.g. {@code kafka.security.protocol=SASL_SSL});</li>
 *   <li>environment variables: {@code LOSSDOCTOR_} and the key in upper case with {@code _} for
 *       {@code .} ({@code LOSSDOCTOR_STALL_AFTER}, {@code LOSSDOCTOR_KAFKA_SECURITY_PROTOCOL});</li>
 *   <li>Java system properties: {@code -Dlossdoctor.<key>} ({@code -Dlossdoctor.kafka.security.protocol=SSL});</li>
 *   <li>command-line flags ({@code --stall-after 45m}).</li>
 * </ol>
 * Every value is checked when the config is built; a bad one is a one-line error naming where it
 * came from. An unknown key in the file is an error (a typo would otherwise go unnoticed); one in
 * the environment or system properties is logged and ignored (platforms set variables of their own).
 */
public final class AppConfig {

    public static final String ENV_PREFIX = "LOSSDOCTOR_";
    public static final String SYSTEM_PROPERTY_PREFIX = "lossdoctor.";
    /** Settings under this prefix go to the Kafka clients and Kafka Streams as they are. */
    public static final String KAFKA_PREFIX = "kafka.";

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String APPLICATION_ID = "application.id";
    /** This instance's stable name: Kafka's {@code group.instance.id} (static membership). */
    public static final String INSTANCE_ID = "instance.id";
    public static final String STATE_DIR = "state.dir";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_ADVERTISED_HOST = "http.advertised.host";
    /** A bearer token {@code /runs} asks for (env {@code LOSSDOCTOR_HTTP_TOKEN}); empty: open. */
    public static final String HTTP_TOKEN = "http.token";
    public static final String METRICS_TOPIC = "metrics.topic";
    public static final String DIAGNOSES_TOPIC = "diagnoses.topic";
    public static final String STATUS_TOPIC = "status.topic";
    public static final String DLQ_TOPIC = "dlq.topic";
    public static final String TOPIC_PARTITIONS = "topic.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
    public static final String STALL_AFTER = "stall.after";
    public static final String FINISHED_GRACE = "finished.grace";
    public static final String IDLE_AFTER = "idle.after";
    public static final String SWEEP_INTERVAL = "sweep.interval";
    public static final String MAX_LIVE_RUNS = "max.live.runs";
    public static final String SWEEP_PERCENTILE = "sweep.percentile";
    public static final String STATE_STORE = "state.store";
    public static final String MAX_RUN_GAUGES = "max.run.gauges";
    public static final String STARTUP_TIMEOUT = "startup.timeout";
    public static final String CLOUDEVENTS_HEADERS = "cloudevents.headers";

    private static final Logger log = LoggerFactory.getLogger(AppConfig.class);

    /** Every key and its default ("" = not set: the broker's or Kafka Streams' own default applies), from {@link ConfigKeys}. */
    private static final Map<String, String> DEFAULTS = defaultsTable();

    /** Kafka settings the service sets itself, and the key of its own that sets each. */
    private static final Map<String, String> OWN_KAFKA_SETTINGS = Map.of(
            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP_SERVERS,
            StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID,
            StreamsConfig.STATE_DIR_CONFIG, STATE_DIR,
            StreamsConfig.APPLICATION_SERVER_CONFIG, HTTP_ADVERTISED_HOST + " and " + HTTP_PORT,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, INSTANCE_ID,
            StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), INSTANCE_ID,
            StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), INSTANCE_ID);

    /**
     * What Kafka accepts as a group.instance.id (its legal characters, at most 249 of them), less room
     * for the {@code -<thread>} suffix Kafka Streams adds per stream thread.
     */
    private static final Pattern INSTANCE_ID_FORMAT = Pattern.compile("[A-Za-z0-9._-]{1,240}");

    private final Map<String, String> values;
    private final Map<String, String> origins;

    private final String bootstrapServers;
    private final String applicationId;
    private final String instanceId;
    private final Path stateDir;
    private final String httpHost;
    private final int httpPort;
    private final String advertisedHost;
    private final String httpToken;
    private final Topics topics;
    private final Integer topicPartitions;
    private final Short topicReplicationFactor;
    private final Duration stallAfter;
    private final Duration finishedGrace;
    private final Duration idleAfter;
    private final Duration sweepInterval;
    private final SweepRule sweepRule;
    private final int maxLiveRuns;
    private final TopologyConfig.StateStore stateStore;
    private final int maxRunGauges;
    private final Duration startupTimeout;
    private final CloudEventsHeaders cloudEvents;
    private final Map<String, String> kafka;

    private AppConfig(Map<String, String> values, Map<String, String> origins) {
        Map<String, String> set = new TreeMap<>(values);
        set.values().removeIf(String::isBlank);
        this.values = Collections.unmodifiableMap(set);
        this.origins = Map.copyOf(origins);
        bootstrapServers = required(BOOTSTRAP_SERVERS);
        applicationId = required(APPLICATION_ID);
        instanceId = optional(INSTANCE_ID).map(this::instanceId).orElse(null);
        stateDir = optional(STATE_DIR).map(Path::of).orElse(null);
        httpHost = required(HTTP_HOST);
        httpPort = integer(HTTP_PORT, 0, 65_535);
        advertisedHost = optional(HTTP_ADVERTISED_HOST).orElse(null);
        httpToken = optional(HTTP_TOKEN).orElse(null);
        topics = Topics.named(required(METRICS_TOPIC), required(DIAGNOSES_TOPIC), required(STATUS_TOPIC), required(DLQ_TOPIC));
        topicPartitions = optional(TOPIC_PARTITIONS).isPresent() ? integer(TOPIC_PARTITIONS, 1, 100_000) : null;
        topicReplicationFactor = optional(TOPIC_REPLICATION_FACTOR).isPresent()
                ? (short) integer(TOPIC_REPLICATION_FACTOR, 1, Short.MAX_VALUE) : null;
        stallAfter = duration(STALL_AFTER);
        finishedGrace = duration(FINISHED_GRACE);
        idleAfter = duration(IDLE_AFTER);
        sweepInterval = duration(SWEEP_INTERVAL);
        maxLiveRuns = integer(MAX_LIVE_RUNS, 1, Integer.MAX_VALUE);
        sweepRule = parseSweepRule();
        stateStore = stateStore(required(STATE_STORE));
        maxRunGauges = integer(MAX_RUN_GAUGES, 0, Integer.MAX_VALUE);
        startupTimeout = duration(STARTUP_TIMEOUT);
        cloudEvents = cloudEventsHeaders();
        Map<String, String> k = new TreeMap<>();
        values.forEach((key, v) -> {
            if (key.startsWith(KAFKA_PREFIX)) {
                k.put(key.substring(KAFKA_PREFIX.length()), v);
            }
        });
        kafka = Collections.unmodifiableMap(k);
    }

    /** The defaults alone. */
    public static AppConfig defaults() {
        return of(Map.of());
    }

    /** The defaults overridden by {@code settings} (keys as in the properties file): for tests and embedding. */
    public static AppConfig of(Map<String, String> settings) {
        Layers layers = new Layers();
        layers.add(settings, key -> "setting " + key, true);
        return layers.build();
    }

    /**
     * Reads every layer.
     *
     * @param configFile the {@code --config} file, or null
     * @param env the environment ({@code System.getenv()})
     * @param systemProperties the system properties ({@code System.getProperties()})
     * @param flags the command-line flags given, by key (e.g. {@code stall.after})
     */
    public static AppConfig load(Path configFile, Map<String, String> env, Properties systemProperties,
                                 Map<String, String> flags) {
        Layers layers = new Layers();
        if (configFile != null) {
            layers.add(readFile(configFile), key -> key + " in " + configFile, true);
        }
        Map<String, String> fromEnv = new LinkedHashMap<>();
        Map<String, String> envNames = new LinkedHashMap<>();
        new TreeMap<>(env).forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                fromEnv.put(key, value);
                envNames.put(key, name);
            }
        });
        layers.add(fromEnv, key -> "environment variable " + envNames.get(key), false);
        Map<String, String> fromSystem = new LinkedHashMap<>();
        for (String name : new TreeMap<>(systemProperties).keySet().stream().map(Object::toString).toList()) {
            if (name.startsWith(SYSTEM_PROPERTY_PREFIX) && name.length() > SYSTEM_PROPERTY_PREFIX.length()) {
                fromSystem.put(name.substring(SYSTEM_PROPERTY_PREFIX.length()), systemProperties.getProperty(name));
            }
        }
        layers.add(fromSystem, key -> "system property " + SYSTEM_PROPERTY_PREFIX + key, false);
        layers.add(flags, key -> "command line", true);
        return layers.build();
    }

    /** A copy with one setting replaced (keys as in the properties file). */
    public AppConfig with(String key, String value) {
        Layers layers = new Layers();
        layers.values.putAll(values); // over the defaults, whose unset keys values() leaves out
        layers.origins.putAll(origins);
        layers.add(Map.of(key, value), k -> "setting " + k, true);
        return layers.build();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String applicationId() {
        return applicationId;
    }

    /** This instance's static group membership name ({@code group.instance.id}); empty: dynamic membership. */
    public Optional<String> instanceId() {
        return Optional.ofNullable(instanceId);
    }

    /** Where Kafka Streams keeps its stores; empty: its default ({@code java.io.tmpdir/kafka-streams}). */
    public Optional<Path> stateDir() {
        return Optional.ofNullable(stateDir);
    }

    public String httpHost() {
        return httpHost;
    }

    /** 0: any free port. */
    public int httpPort() {
        return httpPort;
    }

    /** The host other instances reach this one's HTTP server at; empty: worked out at start. */
    public Optional<String> advertisedHost() {
        return Optional.ofNullable(advertisedHost);
    }

    /** The bearer token {@code GET /runs} and {@code /runs/{id}} require; empty: they are open. */
    public Optional<String> httpToken() {
        return Optional.ofNullable(httpToken);
    }

    public Topics topics() {
        return topics;
    }

    /** Partitions of the topics created at start; empty: the broker's default. */
    public Optional<Integer> topicPartitions() {
        return Optional.ofNullable(topicPartitions);
    }

    /** Replication of the topics created at start (and of Kafka Streams' own); empty: the broker's default. */
    public Optional<Short> topicReplicationFactor() {
        return Optional.ofNullable(topicReplicationFactor);
    }

    public Duration stallAfter() {
        return stallAfter;
    }

    public Duration finishedGrace() {
        return finishedGrace;
    }

    public Duration idleAfter() {
        return idleAfter;
    }

    public Duration sweepInterval() {
        return sweepInterval;
    }

    public int maxLiveRuns() {
        return maxLiveRuns;
    }

    public int maxRunGauges() {
        return maxRunGauges;
    }

    /** How long to wait for Kafka at start before giving up. */
    public Duration startupTimeout() {
        return startupTimeout;
    }

    /** The Kafka settings passed through ({@code kafka.} prefix removed). */
    public Map<String, String> kafka() {
        return kafka;
    }

    /** Every setting in effect, by key (defaults included, unset ones left out). */
    public Map<String, String> values() {
        return values;
    }

    /** Where a setting's value came from ("default", "environment variable LOSSDOCTOR_...", ...). */
    public String origin(String key) {
        return origins.getOrDefault(key, "default");
    }

    public TopologyConfig topologyConfig(AnalysisMetrics metrics) {
        return new TopologyConfig(topics, stallAfter, finishedGrace, idleAfter, sweepInterval, maxLiveRuns, stateStore, metrics)
                .withCloudEvents(cloudEvents).withSweepRule(sweepRule);
    }

    /** When a run of a sweep is lagging: the default rule at the {@code sweep.percentile} set. */
    public SweepRule sweepRule() {
        return sweepRule;
    }

    /** {@code sweep.percentile}: a number in (0, 100), as {@code analyze --sweep-percentile} takes it. */
    private SweepRule parseSweepRule() {
        String v = required(SWEEP_PERCENTILE);
        try {
            return SweepRule.DEFAULT.withPercentile(Double.parseDouble(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SWEEP_PERCENTILE + " (" + origin(SWEEP_PERCENTILE) + "): '" + v
                    + "' is not a number");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SWEEP_PERCENTILE + " (" + origin(SWEEP_PERCENTILE) + "): " + e.getMessage());
        }
    }

    /** {@code cloudevents.headers}: CloudEvents attributes as headers on published records (binary content mode). */
    private CloudEventsHeaders cloudEventsHeaders() {
        String v = required(CLOUDEVENTS_HEADERS).toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "true" -> CloudEventsHeaders.forApplication(applicationId);
            case "false" -> CloudEventsHeaders.OFF;
            default -> throw new IllegalArgumentException(CLOUDEVENTS_HEADERS + " (" + origin(CLOUDEVENTS_HEADERS) + "): '" + v
                    + "' is neither true nor false");
        };
    }

    /**
     * The Kafka Streams properties: exactly-once, the dead-letter topic also for records a
     * processor fails on (logged, sent there, and processing continues), then every {@code kafka.}
     * setting over them.
     *
     * @param applicationServer this instance's advertised HTTP {@code host:port}, for interactive queries
     */
    public Properties streamsProperties(String applicationServer) {
        Properties p = new Properties();
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.dlq().name());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        // The analyzer's tasks read two partitions: the input's and the repartition topic's (records
        // without a key). Runs are independent of each other and a run's records come one way, in
        // order, so interleaving the two by timestamp buys nothing; and waiting for the empty one
        // costs: Kafka 4.4 formats a log text for every record while one of a task's partitions is
        // empty (7.6 % of the stream thread in the benchmark's profile). Overridable with kafka.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
        if (topicReplicationFactor != null) {
            p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(topicReplicationFactor));
        }
        p.putAll(kafka);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        if (stateDir != null) {
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        }
        if (applicationServer != null) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        if (instanceId != null) {
            // static membership: Kafka Streams passes it to each stream thread's main consumer as
            // <instance.id>-<thread number> and leaves the restore and global consumers dynamic
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        }
        return p;
    }

    /** The settings an Admin client needs (bootstrap servers and the {@code kafka.} settings such as security). */
    public Properties adminProperties() {
        Properties streams = streamsProperties(null);
        Properties p = new Properties();
        p.putAll(new StreamsConfig(streams).getAdminConfigs("loss-doctor-admin"));
        return p;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(values);
        shown.replaceAll((k, v) -> k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token") ? "[hidden]" : v);
        return "AppConfig" + shown;
    }

    private String required(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(key + " (" + origin(key) + ") must not be empty");
        }
        return v.trim();
    }

    private Optional<String> optional(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private String instanceId(String v) {
        if (!INSTANCE_ID_FORMAT.matcher(v).matches() || v.equals(".") || v.equals("..")) {
            throw new IllegalArgumentException(INSTANCE_ID + " (" + origin(INSTANCE_ID) + "): '" + v
                    + "' is not a Kafka group.instance.id: use 1 to 240 letters, digits, '.', '_' or '-'");
        }
        return v;
    }

    private TopologyConfig.StateStore stateStore(String v) {
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "rocksdb" -> TopologyConfig.StateStore.ROCKSDB;
            case "memory" -> TopologyConfig.StateStore.MEMORY;
            default -> throw new IllegalArgumentException(STATE_STORE + " (" + origin(STATE_STORE) + "): '" + v
                    + "' is neither rocksdb nor memory");
        };
    }

    private int integer(String key, int min, int max) {
        String v = required(key);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + " (" + origin(key) + ") must be between " + min + " and " + max
                        + ", not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " (" + origin(key) + "): '" + v + "' is not a whole number");
        }
    }

    private Duration duration(String key) {
        try {
            Duration d = Durations.parse(required(key));
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("it must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " (" + origin(key) + "): " + e.getMessage());
        }
    }

    private static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("can't read the config file " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k.trim(), p.getProperty(k).trim()));
        return m;
    }

    private static Map<String, String> defaultsTable() {
        Map<String, String> d = new LinkedHashMap<>();
        ConfigKeys.ALL.forEach(k -> d.put(k.key(), k.defaultValue()));
        return Collections.unmodifiableMap(d);
    }

    /** The keys and their defaults ("" = not set), in documentation order. */
    public static Map<String, String> defaultValues() {
        return DEFAULTS;
    }

    /** Layers merged in order, later over earlier, remembering where each value came from. */
    private static final class Layers {
        final Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        final Map<String, String> origins = new LinkedHashMap<>();

        void add(Map<String, String> layer, java.util.function.Function<String, String> origin, boolean strict) {
            layer.forEach((key, value) -> {
                if (key.startsWith(KAFKA_PREFIX)) {
                    String kafkaKey = key.substring(KAFKA_PREFIX.length());
                    if (kafkaKey.isEmpty()) {
                        throw new IllegalArgumentException(origin.apply(key) + ": a Kafka setting needs a name after 'kafka.'");
                    }
                    String own = OWN_KAFKA_SETTINGS.get(kafkaKey);
                    if (own != null) {
                        throw new IllegalArgumentException(origin.apply(key) + ": set " + own
                                + " without the kafka. prefix (the service sets " + kafkaKey + " itself)");
                    }
                } else if (!DEFAULTS.containsKey(key)) {
                    String message = origin.apply(key) + ": unknown setting '" + key + "' (Kafka settings take the prefix kafka.)";
                    if (strict) {
                        throw new IllegalArgumentException(message);
                    }
                    log.warn("Ignoring {}", message);
                    return;
                }
                values.put(key, value == null ? "" : value);
                origins.put(key, origin.apply(key));
            });
        }

        AppConfig build() {
            return new AppConfig(values, origins);
        }
    }
}
