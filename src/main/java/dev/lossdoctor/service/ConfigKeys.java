package dev.lossdoctor.service;

import dev.lossdoctor.streams.TopologyConfig;
import dev.lossdoctor.streams.Topics;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every setting of the service, in one table: its key, default, command-line flag, environment
 * variable and meaning. {@link AppConfig} takes its keys and defaults from it, {@code run} its
 * flags and their help, and README's configuration table is checked against it row by row
 * ({@code ConfigKeysReadmeTest}). A new setting is one row here (and its parsing in AppConfig).
 */
public final class ConfigKeys {

    /**
     * One setting.
     *
     * @param key the key in the properties file ({@code stall.after})
     * @param defaultValue the default; "" when unset (Kafka's or the broker's own default applies)
     * @param flag the command-line flag of {@code run}, or null when it has none
     * @param paramLabel the flag's value as help shows it ({@code DURATION})
     * @param shownDefault the default as the documentation words it (Markdown)
     * @param meaning what it does (Markdown)
     */
    public record Key(String key, String defaultValue, String flag, String paramLabel, String shownDefault, String meaning) {

        /** {@code LOSSDOCTOR_} and the key in upper case with {@code _} for {@code .}. */
        public String envVar() {
            return AppConfig.ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
        }

        public Optional<String> commandLineFlag() {
            return Optional.ofNullable(flag);
        }

        /** The row of README's configuration table. */
        public String markdownRow() {
            return "| `" + key + "` | `" + envVar() + "` |" + (flag == null ? " " : " `" + flag + "` ") + "| "
                    + shownDefault + " | " + meaning + " |";
        }

        /** The flag's help: the meaning, then the default and the variable, as plain text. */
        public String help() {
            return plainMeaning() + " (default: " + plain(shownDefault) + "; env " + envVar() + ")";
        }

        /** The meaning as plain text, for a terminal. */
        public String plainMeaning() {
            return plain(meaning);
        }
    }

    /** README's last row: the pass-through of any Kafka setting. */
    public static final String KAFKA_ROW = "| `" + AppConfig.KAFKA_PREFIX + "<property>` | `" + AppConfig.ENV_PREFIX
            + "KAFKA_<PROPERTY>` | | | any Kafka client / Streams setting |";

    /** The table, in documentation order. */
    public static final List<Key> ALL = List.of(
            key(AppConfig.BOOTSTRAP_SERVERS, "localhost:9092", "--bootstrap-servers", "HOST:PORT[,...]",
                    null, "Kafka brokers"),
            key(AppConfig.APPLICATION_ID, "loss-doctor", "--application-id", "ID",
                    null, "Kafka Streams application id; instances with the same id share the work"),
            key(AppConfig.INSTANCE_ID, "", "--instance-id", "NAME",
                    "none", "this instance's own stable name, unique in the application (Kubernetes: the pod name; "
                            + "letters, digits, `.`, `_`, `-`): Kafka's `group.instance.id` (static membership), so a "
                            + "restarted instance takes its partitions back without a rebalance when it returns within "
                            + "the consumer's `session.timeout.ms` (45 s by default; also how long its partitions wait "
                            + "when it is gone for good). Kafka Streams registers stream thread *n*'s consumer as "
                            + "`<instance.id>-<n>`; its restore and global consumers stay dynamic"),
            key(AppConfig.STATE_DIR, "", "--state-dir", "DIR",
                    "Kafka Streams' (`java.io.tmpdir/kafka-streams`)", "where the RocksDB stores live; use a persistent volume"),
            key(AppConfig.HTTP_HOST, "0.0.0.0", "--http-host", "HOST",
                    null, "address the HTTP server binds"),
            key(AppConfig.HTTP_PORT, "8080", "--http-port", "PORT",
                    null, "HTTP port (`0`: any free port)"),
            key(AppConfig.HTTP_ADVERTISED_HOST, "", "--advertised-host", "HOST",
                    "the bind host, else this machine's name", "host other instances reach this one at (Kubernetes: "
                            + "the pod IP); with the port it becomes `application.server`"),
            key(AppConfig.HTTP_TOKEN, "", "--http-token", "TOKEN",
                    "none", "when set, `/runs`, `/runs/{run_id}`, the page and the charts need `Authorization: Bearer "
                            + "<token>` (`/metrics` and `/health` stay open)"),
            key(AppConfig.METRICS_TOPIC, Topics.METRICS, "--metrics-topic", "TOPIC",
                    null, "input topic"),
            key(AppConfig.DIAGNOSES_TOPIC, Topics.DIAGNOSES, "--diagnoses-topic", "TOPIC",
                    null, "diagnosis events"),
            key(AppConfig.STATUS_TOPIC, Topics.STATUS, "--status-topic", "TOPIC",
                    null, "latest status per run (compacted)"),
            key(AppConfig.DLQ_TOPIC, Topics.DLQ, "--dlq-topic", "TOPIC",
                    null, "dead-letter topic"),
            key(AppConfig.TOPIC_PARTITIONS, "", "--partitions", "N",
                    "broker default", "partitions of topics created at start"),
            key(AppConfig.TOPIC_REPLICATION_FACTOR, "", "--replication-factor", "N",
                    "broker default", "replicas of topics created at start, and of Kafka Streams' internal topics"),
            key(AppConfig.STALL_AFTER, Durations.format(TopologyConfig.DEFAULT_STALL_AFTER), "--stall-after", "DURATION",
                    null, "an unfinished run silent this long is `stalled`"),
            key(AppConfig.FINISHED_GRACE, Durations.format(TopologyConfig.DEFAULT_FINISHED_GRACE), null, null,
                    null, "a finished run is evicted this long after its last event"),
            key(AppConfig.IDLE_AFTER, Durations.format(TopologyConfig.DEFAULT_IDLE_AFTER), null, null,
                    null, "an unfinished run silent this long is evicted"),
            key(AppConfig.SWEEP_INTERVAL, Durations.format(TopologyConfig.DEFAULT_SWEEP_INTERVAL), null, null,
                    null, "how often the sweeper runs (wall clock)"),
            key(AppConfig.MAX_LIVE_RUNS, Integer.toString(TopologyConfig.DEFAULT_MAX_LIVE_RUNS), "--max-live-runs", "N",
                    null, "most runs held per instance; past it the idlest are evicted"),
            key(AppConfig.SWEEP_PERCENTILE, "20", "--sweep-percentile", "P",
                    null, "a run of a sweep (`config.sweep_id`) is `lagging` when its best validation loss is worse than "
                            + "this percentile of its siblings' at the same epoch (20: outside their best fifth; 50: the "
                            + "median), as `analyze --sweep-percentile`"),
            key(AppConfig.STATE_STORE, "rocksdb", null, null,
                    null, "where the runs' states live: `rocksdb` (local disk, little heap, a restart reads only the "
                            + "changelog's tail) or `memory` (the heap, about 1.1 KB per run with a full window; no disk "
                            + "reads, so hundreds of thousands of live runs cost little more than a few; a restart reads "
                            + "the whole changelog back)"),
            key(AppConfig.MAX_RUN_GAUGES, "200", "--max-run-gauges", "N",
                    null, "most runs with per-run gauges"),
            key(AppConfig.STARTUP_TIMEOUT, "30s", null, null,
                    null, "how long to wait for Kafka at start"),
            key(AppConfig.CLOUDEVENTS_HEADERS, "false", null, null,
                    null, "`true`: CloudEvents headers (binary mode) on every published diagnosis and status record "
                            + "([Event contracts](#event-contracts-json-schemas-and-asyncapi))"));

    private ConfigKeys() {
    }

    /** The setting of {@code key}, if there is one. */
    public static Optional<Key> find(String key) {
        return ALL.stream().filter(k -> k.key().equals(key)).findFirst();
    }

    /** README's configuration table without its header: a row per key, then {@link #KAFKA_ROW}. */
    public static List<String> markdownRows() {
        return java.util.stream.Stream.concat(ALL.stream().map(Key::markdownRow), java.util.stream.Stream.of(KAFKA_ROW))
                .toList();
    }

    private static Key key(String key, String defaultValue, String flag, String paramLabel, String shownDefault, String meaning) {
        return new Key(key, defaultValue, flag, paramLabel, shownDefault == null ? "`" + defaultValue + "`" : shownDefault,
                meaning);
    }

    /** Markdown as plain text for a terminal: no backticks or emphasis; % escaped for picocli's formatting. */
    private static String plain(String markdown) {
        return markdown.replace("`", "").replace("*", "").replace("%", "%%");
    }
}
