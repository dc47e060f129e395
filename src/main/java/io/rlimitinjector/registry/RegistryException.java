package io.rlimitinjector.registry;

/** A lookup that cannot succeed; the message is the reason shown to the user, so it says what to do. */
final class RegistryException extends Exception {
    RegistryException(String message) {
        super(message, null, false, false);
    }
}
