package dev.lossdoctor.streams;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** A topic's name with the serdes of its keys and values, so the two can't drift apart. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a topic name can't be blank");
        }
    }

    /** Reading it as the source node {@code nodeName}. */
    public Consumed<K, V> consumed(String nodeName) {
        return Consumed.with(keySerde, valueSerde).withName(nodeName);
    }

    /** Writing it from the sink node {@code nodeName}. */
    public Produced<K, V> produced(String nodeName) {
        return Produced.with(keySerde, valueSerde).withName(nodeName);
    }
}
