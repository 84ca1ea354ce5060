package dev.lossdoctor.streams;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store that runs a callback just before its task commits, so that the processor can
 * keep its busiest values as objects and write each one once per commit instead of once per record
 * (what Kafka's record cache does for bytes, one step earlier: no encoding per record either).
 *
 * <p>Kafka Streams 4.4 flushes the caches of a task's stores ({@code flushCache}, from {@code
 * StreamTask.prepareCommit}) before it flushes the record collector and commits the transaction and
 * the offsets: for every commit, on revocation, suspension and close, and on a dirty close too (whose
 * transaction is then aborted). Writes the callback makes go through the store below (changelog,
 * then RocksDB or memory) inside the transaction being committed, so the store, its changelog and
 * the committed offsets always agree; on a crash everything since the last commit is dropped and
 * replayed, objects included. The changelog records written then carry the record context Kafka
 * left from the task's last record or punctuation (their timestamps are not read back). Everything
 * else passes straight through, so interactive queries read the store as of the last commit. This
 * leans on Kafka's internal {@code WrappedStateStore}; the topology and fault tests pin the order.
 */
final class BeforeCommitStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V> implements KeyValueStore<K, V> {

    private Runnable beforeCommit = () -> {
    };

    private BeforeCommitStore(KeyValueStore<K, V> inner) {
        super(inner);
    }

    /** The store this processor context hands out (behind Kafka's read-write guard), or null if it is not one. */
    @SuppressWarnings("unchecked")
    static <K, V> BeforeCommitStore<K, V> of(StateStore store) {
        StateStore s = store;
        while (s instanceof WrappedStateStore<?, ?, ?> wrapper) {
            if (s instanceof BeforeCommitStore<?, ?> found) {
                return (BeforeCommitStore<K, V>) found;
            }
            s = wrapper.wrapped();
        }
        return null;
    }

    /** Runs {@code callback} on the stream thread before each commit of the task (one callback: the last one set). */
    void beforeCommit(Runnable callback) {
        this.beforeCommit = callback;
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
        super.flushCache();
    }

    @Override
    public void put(K key, V value) {
        wrapped().put(key, value);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return wrapped().putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        wrapped().putAll(entries);
    }

    @Override
    public V delete(K key) {
        return wrapped().delete(key);
    }

    @Override
    public V get(K key) {
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    @Override
    public ReadOnlyKeyValueStore<K, V> readOnly(IsolationLevel isolationLevel) {
        return wrapped().readOnly(isolationLevel);
    }

    /** Builds the store {@code inner} builds, wrapped. */
    static final class Builder<K, V> implements StoreBuilder<BeforeCommitStore<K, V>> {

        private final StoreBuilder<KeyValueStore<K, V>> inner;

        Builder(StoreBuilder<KeyValueStore<K, V>> inner) {
            this.inner = inner;
        }

        @Override
        public Builder<K, V> withCachingEnabled() {
            inner.withCachingEnabled();
            return this;
        }

        @Override
        public Builder<K, V> withCachingDisabled() {
            inner.withCachingDisabled();
            return this;
        }

        @Override
        public Builder<K, V> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public Builder<K, V> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public BeforeCommitStore<K, V> build() {
            return new BeforeCommitStore<>(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
