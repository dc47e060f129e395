package io.rlimitinjector.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** A thread-safe map that forgets its least recently used entry past a size, so no workload grows it without end. */
public final class BoundedCache<K, V> {
    private final Map<K, V> entries;

    public BoundedCache(int maxEntries) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    public synchronized V get(K key) {
        return entries.get(key);
    }

    public synchronized void put(K key, V value) {
        entries.put(key, value);
    }

    /** Stores the value unless the key has one; returns the value it had, or null when this one was stored. */
    public synchronized V putIfAbsent(K key, V value) {
        return entries.putIfAbsent(key, value);
    }

    /** The current value, or a new one stored and returned if there is none or {@code stale} says so. */
    public synchronized V getOrCreate(K key, Function<V, Boolean> stale, Function<K, V> create) {
        V value = entries.get(key);
        if (value == null || stale.apply(value)) {
            value = create.apply(key);
            entries.put(key, value);
        }
        return value;
    }

    public synchronized int size() {
        return entries.size();
    }
}
