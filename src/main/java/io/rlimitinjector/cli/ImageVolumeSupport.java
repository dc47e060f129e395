package io.rlimitinjector.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.rlimitinjector.mutation.Delivery;
import io.rlimitinjector.mutation.InjectionSettings;
import java.io.PrintStream;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the API server takes the image-volume delivery. Image volumes are on by default from Kubernetes 1.35; a
 * 1.34 API server drops the image volume and its mounts from our pods, whose containers then start a launcher that
 * is not there.
 * The nodes are another matter the API server cannot answer for (README, "Install").
 */
final class ImageVolumeSupport {
    static final int FIRST_MINOR = 35;
    private static final Pattern LEADING_NUMBER = Pattern.compile("^(\\d+)");

    private ImageVolumeSupport() {
    }

    /** The settings to serve with: the init-container delivery instead where the API server is too old. */
    static InjectionSettings checked(InjectionSettings settings, Supplier<KubernetesClient> kubernetes, PrintStream log) {
        if (settings.delivery() != Delivery.IMAGE_VOLUME) {
            return settings;
        }
        VersionInfo version;
        try {
            version = kubernetes.get().getKubernetesVersion();
        } catch (KubernetesClientException e) {
            log.println("rlimit-injector: cannot read the API server's version (" + e.getMessage() + "); delivering"
                    + " the launcher by image volume as set, which fails every pod on an API server before 1.35");
            return settings;
        }
        Optional<String> problem = problem(version.getMajor(), version.getMinor());
        if (problem.isEmpty()) {
            return settings;
        }
        log.println("rlimit-injector: --delivery=imageVolume ignored: " + problem.get() + "; delivering the launcher"
                + " by init container");
        return settings.withDelivery(Delivery.INIT_CONTAINER);
    }

    /** Why an API server of this version cannot take image volumes, or empty when it can. */
    static Optional<String> problem(String major, String minor) {
        // Some providers report a minor version like "35+".
        Optional<Integer> majorNumber = leadingNumber(major);
        Optional<Integer> minorNumber = leadingNumber(minor);
        if (majorNumber.isEmpty() || minorNumber.isEmpty()) {
            return Optional.of("the API server reports version \"" + major + "." + minor + "\", not a number");
        }
        boolean supported = majorNumber.get() > 1 || (majorNumber.get() == 1 && minorNumber.get() >= FIRST_MINOR);
        return supported ? Optional.empty() : Optional.of("the API server is Kubernetes " + majorNumber.get() + "."
                + minorNumber.get() + ", and image volumes are on by default only from 1." + FIRST_MINOR);
    }

    private static Optional<Integer> leadingNumber(String text) {
        Matcher matcher = LEADING_NUMBER.matcher(text == null ? "" : text);
        return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }
}
