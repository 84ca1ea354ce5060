package dev.lossdoctor.streams;

import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A serde that is its own serializer and deserializer: nulls pass through, failures are {@link SerializationException}s. */
abstract class BaseSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private final String what;

    BaseSerde(String what) {
        this.what = what;
    }

    abstract byte[] write(T value);

    abstract T read(byte[] bytes);

    @Override
    public final byte[] serialize(String topic, T value) {
        if (value == null) {
            return null;
        }
        try {
            return write(value);
        } catch (RuntimeException e) {
            throw new SerializationException("can't write " + what + " to " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public final T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return read(bytes);
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SerializationException("can't read " + what + " from " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public void close() {
    }
}
