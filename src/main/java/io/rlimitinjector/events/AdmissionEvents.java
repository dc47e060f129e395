package io.rlimitinjector.events;

import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.inject.Admission;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events ({@code events.k8s.io/v1}) on the controlling owner of each pod the webhook admitted: {@code Injected}
 * and {@code NotInjected}, at most one per owner and reason per window. Recording only decides and queues, so
 * admission never waits for the API server.
 */
public final class AdmissionEvents implements AutoCloseable {
    /** The Events' {@code reportingController}; core v1 and kubectl call it {@code reportingComponent}. */
    public static final String REPORTING_CONTROLLER = "rlimit-injector.io/webhook";
    private static final String ACTION = "Inject";
    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final int MAX_REMEMBERED = 4096;
    private static final int QUEUE_CAPACITY = 1024;
    private static final int MAX_INSTANCE_LENGTH = 128;
    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionEvents.class);

    private final String instance;
    private final EventObserver observer;
    private final RecentEvents recent = new RecentEvents(WINDOW, MAX_REMEMBERED);
    private final EventSender sender;

    private AdmissionEvents(KubernetesClient client, String instance, EventObserver observer) {
        this.instance = instance.substring(0, Math.min(instance.length(), MAX_INSTANCE_LENGTH));
        this.observer = observer;
        this.sender = new EventSender(client, QUEUE_CAPACITY, observer);
    }

    /**
     * Starts the sending thread.
     *
     * @param client not closed here: its owner may share it
     * @param instance this replica, as the Events' {@code reportingInstance}: its pod name
     */
    public static AdmissionEvents start(KubernetesClient client, String instance, EventObserver observer) {
        return new AdmissionEvents(client, instance, observer);
    }

    /** Queues the Events this admission calls for; never throws, since it runs on the admission's thread. */
    public void record(Admission admission) {
        try {
            List<PodReport> reports = EventDecision.reports(admission);
            if (reports.isEmpty()) {
                return;
            }
            Optional<OwnerReference> owner = EventDecision.controller(admission);
            if (owner.isEmpty()) {
                observer.counted(EventResult.NO_OWNER);
                return;
            }
            Instant now = Instant.now();
            for (PodReport report : reports) {
                String name = recent.eventName(owner.get(), report.reason(), now);
                if (recent.firstSighting(name)) {
                    sender.send(event(name, admission.namespace(), owner.get(), report, now));
                } else {
                    observer.counted(EventResult.SUPPRESSED);
                }
            }
        } catch (RuntimeException e) {
            observer.counted(EventResult.FAILED);
            LOG.warn("no event for the admission of pod {}/{}", admission.namespace(), admission.pod(), e);
        }
    }

    private Event event(String name, String namespace, OwnerReference owner, PodReport report, Instant now) {
        return new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withRegarding(new ObjectReferenceBuilder().withApiVersion(owner.getApiVersion())
                        .withKind(owner.getKind()).withNamespace(namespace).withName(owner.getName())
                        .withUid(owner.getUid()).build())
                .withType(report.type())
                .withReason(report.reason())
                .withNote(report.note())
                .withAction(ACTION)
                .withEventTime(new MicroTime(MICRO_TIME.format(now)))
                .withReportingController(REPORTING_CONTROLLER)
                .withReportingInstance(instance)
                .build();
    }

    @Override
    public void close() {
        sender.close();
    }
}
