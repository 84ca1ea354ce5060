package dev.lossdoctor.core;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A metrics event's few metrics as two arrays, names and values: what the parser makes of the line
 * trainers send, without the boxes and the hash table of a general map (an event holds a handful of
 * metrics, found faster by a scan). Immutable; equal to any map of the same names and values, and,
 * like {@link Map#of}, it holds no null and is asked for none.
 */
public final class MetricMap extends AbstractMap<String, Double> {

    private final String[] names;
    private final double[] values;
    private final int size;

    private MetricMap(String[] names, double[] values, int size) {
        this.names = names;
        this.values = values;
        this.size = size;
    }

    /**
     * The first {@code size} names and values, the arrays taken as they are (the caller hands them
     * over and keeps no reference to them); the names distinct and non-null.
     */
    public static MetricMap of(String[] names, double[] values, int size) {
        return new MetricMap(names, values, size);
    }

    private int indexOf(Object name) {
        Objects.requireNonNull(name);
        for (int i = 0; i < size; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Double get(Object name) {
        int i = indexOf(name);
        return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object name) {
        return indexOf(name) >= 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Double> action) {
        for (int i = 0; i < size; i++) {
            action.accept(names[i], values[i]);
        }
    }

    @Override
    public Set<Entry<String, Double>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Double>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Entry<String, Double> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(names[i], values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }
}
