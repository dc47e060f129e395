package io.rlimitinjector.registry;

/**
 * A lookup that cannot succeed: the {@link LookupFailure} the pod author sees, and the message, which is for the
 * webhook's log only.
 */
final class RegistryException extends Exception {
    private final LookupFailure failure;

    RegistryException(LookupFailure failure, String detail) {
        super(detail, null, false, false);
        this.failure = failure;
    }

    LookupFailure failure() {
        return failure;
    }
}
