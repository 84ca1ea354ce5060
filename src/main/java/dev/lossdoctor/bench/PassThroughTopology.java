package dev.lossdoctor.bench;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The yardstick: source to sink, bytes in and bytes out, nothing in between. Its throughput on the
 * same broker, input, partitions and guarantee is what the full topology's is measured against.
 */
public final class PassThroughTopology {

    public static final String SOURCE = "pass-through-source";
    public static final String SINK = "pass-through-sink";

    private PassThroughTopology() {
    }

    public static Topology build(String input, String output) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SOURCE))
                .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SINK));
        return builder.build();
    }
}
