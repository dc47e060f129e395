package io.rlimitinjector.registry;

/** Told of every image lookup, for metrics: answered from the cache (or a lookup in flight), or fetched. */
public interface LookupObserver {
    LookupObserver NONE = new LookupObserver() {
        @Override
        public void cacheHit() {
        }

        @Override
        public void fetched(boolean found) {
        }
    };

    void cacheHit();

    /** One lookup that went to a registry, and whether it found the image config. */
    void fetched(boolean found);
}
