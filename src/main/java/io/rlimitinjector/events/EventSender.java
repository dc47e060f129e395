package io.rlimitinjector.events;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Events one at a time on a daemon thread, from a bounded queue: an admission only offers, never waits, and
 * when the API server falls behind the excess is dropped and counted. Events are advice; losing some is fine.
 */
final class EventSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventSender.class);

    private final KubernetesClient client;
    private final EventObserver observer;
    private final BlockingQueue<Event> queue;
    private final Thread thread;

    EventSender(KubernetesClient client, int capacity, EventObserver observer) {
        this.client = client;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::sendUntilClosed, "events");
        thread.setDaemon(true);
        thread.start();
    }

    void send(Event event) {
        if (!queue.offer(event)) {
            observer.counted(EventResult.DROPPED);
        }
    }

    private void sendUntilClosed() {
        while (!Thread.currentThread().isInterrupted()) {
            Event event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            create(event);
        }
    }

    private void create(Event event) {
        try {
            client.events().v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
            observer.counted(EventResult.SENT);
        } catch (RuntimeException e) {
            if (e instanceof KubernetesClientException refused
                    && refused.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                // Its name is per owner, reason and window: another replica sent it first.
                observer.counted(EventResult.SUPPRESSED);
                return;
            }
            // Caught whatever it is, so the one sending thread lives on.
            observer.counted(EventResult.FAILED);
            LOG.warn("event {} on {} {}/{} not created: {}", event.getReason(), event.getRegarding().getKind(),
                    event.getMetadata().getNamespace(), event.getRegarding().getName(), e.getMessage());
        }
    }

    /** Stops sending; what is still queued is dropped. */
    @Override
    public void close() {
        thread.interrupt();
    }
}
