package io.rlimitinjector.admission;

/** A request the webhook cannot read; the message goes back to the caller as is, so it names what is wrong. */
public final class BadAdmissionRequest extends RuntimeException {
    private final int status;

    BadAdmissionRequest(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
