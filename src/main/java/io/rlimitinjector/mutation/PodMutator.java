package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.rlimitinjector.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The mutation core: a pod in, the pod with every eligible container wrapped by the launcher out, with a decision
 * per container. It does no I/O of its own; image lookups go through the {@link EntrypointResolver} each call is
 * given.
 */
public final class PodMutator {
    /** Real pods have a handful; past this, diffing the pod costs more memory than a webhook should risk. */
    public static final int MAX_CONTAINERS = 100;

    /** Said of a pod left alone because its nodes could not pull the launcher; the detail is in the webhook's log. */
    private static final String LAUNCHER_UNAVAILABLE = "the launcher image cannot be pulled now";

    private final InjectionSettings settings;
    private final BooleanSupplier launcherPullable;

    public PodMutator(InjectionSettings settings) {
        this(settings, () -> true);
    }

    /**
     * @param launcherPullable whether the nodes can pull the launcher image now; while they cannot, pods are left
     *     alone, since a pod given the launcher would not start
     */
    public PodMutator(InjectionSettings settings, BooleanSupplier launcherPullable) {
        this.settings = settings;
        this.launcherPullable = launcherPullable;
    }

    /**
     * Mutates a copy of the pod.
     *
     * @param namespace the pod's namespace; pods made by controllers carry it only in the admission request
     * @param lookups answers this pod's image lookups
     */
    public MutationResult mutate(Pod original, String namespace, EntrypointResolver lookups) {
        return mutateOwned(Json.MAPPER.convertValue(original, Pod.class), namespace, lookups);
    }

    /**
     * Mutates the pod itself, for a caller that owns it: {@code PodInjector}, whose pods are bound fresh from each
     * request, so copying them would only repeat the binding.
     */
    public MutationResult mutateOwned(Pod pod, String namespace, EntrypointResolver lookups) {
        Map<String, String> annotations = annotationsOf(pod);
        String inject = annotations.get(Contract.INJECT);
        if (Contract.optsOut(inject)) {
            return new MutationResult(pod, List.of(), List.of(),
                    "opted out by annotation " + Contract.INJECT + "=" + inject.trim());
        }
        if (pod.getSpec() == null) {
            return new MutationResult(pod, List.of(), List.of(), "pod has no spec");
        }
        Optional<String> unsupported = unsupportedShape(pod.getSpec()).or(() -> unsupportedPlatform(pod.getSpec()));
        if (unsupported.isPresent()) {
            writeStatus(pod, new InjectionStatus(unsupported.get(), null, null, List.of()));
            return new MutationResult(pod, List.of(), List.of("pod not changed: " + unsupported.get()),
                    unsupported.get());
        }
        // A pod that already has the launcher (a reinvocation) keeps it: leaving it alone would not take it out.
        if (Delivery.of(pod.getSpec()).isEmpty() && !launcherPullable.getAsBoolean()) {
            String code = SkipReason.LAUNCHER_IMAGE_UNAVAILABLE.code();
            writeStatus(pod, new InjectionStatus(LAUNCHER_UNAVAILABLE, code, null, List.of()));
            return new MutationResult(pod, List.of(), List.of("pod not changed (" + code + "): " + LAUNCHER_UNAVAILABLE
                    + ", so its containers run without the memory rlimit"), LAUNCHER_UNAVAILABLE);
        }

        PodSettings podSettings = PodSettings.read(annotations, settings);
        List<String> warnings = new ArrayList<>(podSettings.warnings());
        Optional<InjectionStatus> previous = InjectionStatus.parse(annotations.get(Contract.STATUS));
        List<ContainerDecision> decisions = new ArrayList<>();
        List<ContainerRef> refs = Stream.concat(
                        list(pod.getSpec().getInitContainers()).stream()
                                .filter(container -> !LauncherInstall.isInstallContainer(container))
                                .map(ContainerRef::ofInit),
                        list(pod.getSpec().getContainers()).stream().map(ContainerRef::of))
                .toList();
        ProgramFinder programs = new ProgramFinder(lookups.sharingOneBudget());
        Delivery delivery = Delivery.of(pod.getSpec()).orElse(settings.delivery());
        InstallResources install = delivery == Delivery.INIT_CONTAINER
                ? InstallResources.of(pod.getSpec()) : InstallResources.NONE;
        for (ContainerRef ref : refs) {
            ContainerDecision decision = decide(ref, pod, namespace, podSettings, previous, programs, install, warnings);
            if (!decision.isWrapped()) {
                warnings.add("container \"" + ref.name() + "\" not wrapped: " + decision.skipped());
            }
            decisions.add(decision);
        }
        MemoryLimit.overcommit(pod.getSpec(), decisions).ifPresent(warnings::add);
        boolean anyWrapped = decisions.stream().anyMatch(ContainerDecision::isWrapped);
        if (anyWrapped) {
            LauncherInstall.addTo(pod.getSpec(), settings, delivery, install.requirements());
        }
        writeStatus(pod, new InjectionStatus(null, null, anyWrapped ? delivery.value() : null, decisions));
        return new MutationResult(pod, decisions, warnings, null);
    }

    private ContainerDecision decide(ContainerRef ref, Pod pod, String namespace, PodSettings podSettings,
            Optional<InjectionStatus> previous, ProgramFinder programs, InstallResources install, List<String> warnings) {
        Container container = ref.container();
        PodSettings.ModeSetting mode = podSettings.modeOf(ref.name(), warnings);
        if (ContainerWrapper.isWrapped(container)) {
            // Reinvocation: keep what the first pass decided, so a second pass changes nothing.
            return previous.flatMap(status -> status.decisionFor(ref.name()))
                    .filter(ContainerDecision::isWrapped)
                    .orElseGet(() -> wrapped(ref, new ModeChoice(Mode.AUTO, "already wrapped before this admission"),
                            podSettings, knownLimit(container, pod.getSpec()), envNames(container, Map.of()), "command"));
        }
        if (podSettings.excluded().contains(ref.name())) {
            return ContainerDecision.skipped(ref, SkipReason.EXCLUDED, "excluded by annotation " + Contract.EXCLUDE_CONTAINERS);
        }
        if (mode.mode() == Mode.OFF) {
            return ContainerDecision.skipped(ref, SkipReason.MODE_OFF, "mode off (" + mode.source() + ")");
        }
        MemoryLimit limit;
        try {
            limit = MemoryLimit.of(container, pod.getSpec());
        } catch (MemoryLimit.Unusable unusable) {
            return ContainerDecision.skipped(ref, unusable.reason(), unusable.getMessage());
        }
        if (!install.possible()) {
            return ContainerDecision.skipped(ref, SkipReason.POD_TOO_SMALL_FOR_INSTALL, install.problem());
        }
        if (ContainerWrapper.hasConflictingMount(container)) {
            return ContainerDecision.skipped(ref, SkipReason.MOUNT_CONFLICT, "it already mounts something at " + Contract.MOUNT_PATH
                    + " or a volume named " + Contract.VOLUME);
        }
        Program program;
        try {
            program = programs.find(container, pod, namespace, podSettings.annotations(),
                    previous.map(status -> status.addedAfter(ref.name())).orElse(false), warnings);
        } catch (ProgramFinder.Failure failure) {
            return ContainerDecision.skipped(ref, failure.reason(), failure.getMessage());
        }
        Optional<EnvVar> envMode = ContainerEnv.last(list(container.getEnv()), Contract.ENV_MODE);
        Set<String> envNames = envNames(container, program.imageEnv());
        ModeChoice choice;
        if (envMode.isPresent()) {
            // The container's own variable wins at run time, so it must win in the status too.
            Optional<ModeChoice> own = ownMode(envMode.get());
            if (own.isEmpty()) {
                return ContainerDecision.skipped(ref, SkipReason.MODE_OFF, "mode off (container env " + Contract.ENV_MODE + ")");
            }
            choice = own.get();
        } else if (mode.mode() == Mode.AUTO) {
            choice = AutoMode.decide(runs(container, program), container.getImage(), envNames, gpuResources(container));
        } else {
            choice = new ModeChoice(mode.mode(), mode.source());
        }
        Optional<String> refusal = GoMemLimit.launcherRefusal(list(container.getEnv()), program.imageEnv());
        if (refusal.isPresent()) {
            return ContainerDecision.skipped(ref, SkipReason.INVALID_ENV_GOMEMLIMIT, refusal.get());
        }
        ContainerWrapper.wrap(container, program, choice.mode(), podSettings.ratio(), podSettings.goSoftLimit(),
                limit.literal());
        return wrapped(ref, choice, podSettings, limit, envNames, program.source());
    }

    /**
     * The mode a container's own {@code RLIMIT_INJECTOR_MODE} gives it, as the launcher will read it; empty for
     * {@code off}, which leaves the container alone. A value from {@code valueFrom} (a ConfigMap, a Secret, a field)
     * is only known at run time, so the launcher decides then: the container is wrapped, as for a value that is not
     * a mode, which the launcher ignores for {@code auto}. Skipping either would drop the protection the container
     * asked for; the launcher never fails over the value.
     */
    private static Optional<ModeChoice> ownMode(EnvVar variable) {
        String source = "container env " + Contract.ENV_MODE;
        if (variable.getValueFrom() != null) {
            return Optional.of(new ModeChoice(Mode.AUTO, source + " from valueFrom: the launcher reads it at run time"
                    + " (auto if empty or not a mode)"));
        }
        String value = variable.getValue() == null ? "" : variable.getValue();
        Optional<Mode> parsed = value.isBlank() ? Optional.of(Mode.AUTO) : Mode.parse(value);
        if (parsed.isEmpty()) {
            return Optional.of(new ModeChoice(Mode.AUTO, source + "=\"" + value + "\" is not a mode (auto, as, data,"
                    + " off): the launcher ignores it and uses auto"));
        }
        return parsed.get() == Mode.OFF ? Optional.empty() : Optional.of(new ModeChoice(parsed.get(), source));
    }

    /** The limit of a container wrapped before, when no status says what it was; null if it has none now. */
    private static MemoryLimit knownLimit(Container container, PodSpec spec) {
        try {
            return MemoryLimit.of(container, spec);
        } catch (MemoryLimit.Unusable unusable) {
            return null;
        }
    }

    private ContainerDecision wrapped(ContainerRef ref, ModeChoice choice, PodSettings podSettings, MemoryLimit limit,
            Set<String> envNames, String entrypointSource) {
        long budget = limit != null ? MemoryBudget.rlimit(limit.bytes(), podSettings.ratio()) : -1;
        Long rlimit = budget > 0 ? budget : null;
        String noRlimit = budget == 0 ? "the budget is under the launcher's floor of " + MemoryBudget.MIN_RLIMIT
                + " bytes, where the JVM, Node.js and Go cannot start: it runs the program without one" : null;
        String goMemLimit = rlimit == null ? null : goMemLimit(choice, podSettings, envNames, rlimit);
        return ContainerDecision.wrapped(ref, choice, podSettings.ratio(), limit, rlimit, noRlimit, goMemLimit,
                entrypointSource, settings.launcherImage());
    }

    /**
     * What the launcher does about {@code GOMEMLIMIT}, where the program is Go or is left to the launcher to
     * recognise; null elsewhere. The launcher sets it only for a Go binary, and never over the container's own.
     */
    private static String goMemLimit(ModeChoice choice, PodSettings podSettings, Set<String> envNames, long rlimit) {
        if (choice.runtime() != Runtime.GO && choice.mode() != Mode.AUTO) {
            return null;
        }
        if (envNames.contains(GoMemLimit.NAME)) {
            return "kept: the container sets GOMEMLIMIT";
        }
        if (!podSettings.goSoftLimit()) {
            return "off: annotation " + Contract.GO_SOFT_LIMIT;
        }
        String value = Long.toString(MemoryBudget.goSoftLimit(rlimit));
        return choice.runtime() == Runtime.GO ? value : value + " if the program is a Go binary";
    }

    /** The argv the container will run, which is what the auto mode inspects. */
    private static List<String> runs(Container container, Program program) {
        List<String> argv = new ArrayList<>(program.entrypoint());
        boolean hadArgs = container.getArgs() != null && !container.getArgs().isEmpty();
        argv.addAll(hadArgs ? container.getArgs() : program.defaultArgs());
        return argv;
    }

    private static Set<String> envNames(Container container, Map<String, String> imageEnv) {
        Set<String> names = new TreeSet<>(imageEnv.keySet());
        list(container.getEnv()).stream().map(EnvVar::getName).forEach(names::add);
        return names;
    }

    /** Extended resources named like {@code nvidia.com/gpu} or {@code gpu.intel.com/i915}. */
    private static Set<String> gpuResources(Container container) {
        Set<String> gpus = new TreeSet<>();
        if (container.getResources() != null && container.getResources().getLimits() != null) {
            container.getResources().getLimits().forEach((name, quantity) -> {
                if (name.contains("/") && name.toLowerCase().contains("gpu") && !"0".equals(quantity.toString())) {
                    gpus.add(name);
                }
            });
        }
        return gpus;
    }

    /** Shapes the API server rejects or no real pod has; they get no mutation, only the reason. */
    private static Optional<String> unsupportedShape(PodSpec spec) {
        List<Container> all = Stream.concat(list(spec.getInitContainers()).stream(), list(spec.getContainers()).stream())
                .toList();
        if (all.size() > MAX_CONTAINERS) {
            return Optional.of("pod has " + all.size() + " containers; the webhook mutates pods of at most "
                    + MAX_CONTAINERS);
        }
        if (all.stream().anyMatch(container -> container == null || container.getName() == null
                || container.getName().isEmpty())) {
            return Optional.of("a container has no name, which the API server rejects");
        }
        return Optional.empty();
    }

    private static Optional<String> unsupportedPlatform(PodSpec spec) {
        boolean windows = (spec.getOs() != null && "windows".equalsIgnoreCase(spec.getOs().getName()))
                || (spec.getNodeSelector() != null
                        && "windows".equalsIgnoreCase(spec.getNodeSelector().get("kubernetes.io/os")));
        return windows ? Optional.of("Windows pod; rlimits are a Linux feature") : Optional.empty();
    }

    private static Map<String, String> annotationsOf(Pod pod) {
        if (pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null) {
            return Map.of();
        }
        return pod.getMetadata().getAnnotations();
    }

    private static void writeStatus(Pod pod, InjectionStatus status) {
        if (pod.getMetadata() == null) {
            pod.setMetadata(new ObjectMeta());
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations() == null
                ? new LinkedHashMap<>() : new LinkedHashMap<>(pod.getMetadata().getAnnotations());
        annotations.put(Contract.STATUS, status.toJson());
        pod.getMetadata().setAnnotations(annotations);
    }

    private static <T> List<T> list(List<T> items) {
        return items == null ? List.of() : items;
    }
}
