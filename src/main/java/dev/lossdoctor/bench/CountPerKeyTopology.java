package dev.lossdoctor.bench;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The second yardstick: the least a stateful topology does, a count per key in RocksDB (record
 * cache and changelog, as the DSL makes it), its counts out to a topic. What it costs over the
 * pass-through is the price of keeping state at all, before any parsing or analysis.
 */
public final class CountPerKeyTopology {

    public static final String STORE = "count-per-key-store";

    private CountPerKeyTopology() {
    }

    public static Topology build(String input, String output) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.Bytes(), Serdes.ByteArray()).withName("count-source"))
                .groupByKey(Grouped.with(Serdes.Bytes(), Serdes.ByteArray()))
                .count(Named.as("count"), Materialized.<Bytes, Long, KeyValueStore<Bytes, byte[]>>as(STORE)
                        .withKeySerde(Serdes.Bytes()).withValueSerde(Serdes.Long()))
                .toStream(Named.as("counts"))
                .to(output, Produced.with(Serdes.Bytes(), Serdes.Long()).withName("count-sink"));
        return builder.build();
    }
}
