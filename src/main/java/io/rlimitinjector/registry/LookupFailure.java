package io.rlimitinjector.registry;

/**
 * Why a lookup found no image config, as the pod author sees it: a short code and nothing else. Host names,
 * addresses, HTTP statuses, exception texts, secret and user names go to the webhook's log only, so a pod author can
 * use neither the warning nor the status annotation to probe the network or learn another tenant's secrets.
 */
enum LookupFailure {
    /** The image reference cannot be parsed, or names a digest algorithm other than sha256 or sha512. */
    INVALID_REFERENCE("invalid-reference"),
    /** A registry, redirect or token realm the operator did not allow: a non-public address, or plain HTTP. */
    REFUSED_ADDRESS("registry-refused-address"),
    /** No connection: unknown host, nothing listening, TLS that does not verify, a broken connection. */
    UNREACHABLE("registry-unreachable"),
    /** The lookup's time budget passed. */
    OVER_BUDGET("registry-over-budget"),
    /** Too many lookups are waiting for a thread; not looked up. */
    BUSY("registry-busy"),
    /** The registry or its token server refused every credential that matches it, and anonymous access. */
    UNAUTHORIZED("registry-unauthorized"),
    /** The registry has no such tag, digest or blob. */
    NOT_FOUND("image-not-found"),
    /** A manifest this client does not read: Docker schema 1, an index without a usable platform, nested indexes. */
    UNSUPPORTED("image-unsupported"),
    /** What the registry sent cannot be used: another status, malformed JSON, a digest mismatch, too many bytes. */
    INVALID_RESPONSE("registry-invalid-response"),
    /** A fault of the webhook itself; the log has the stack trace. */
    ERROR("registry-error");

    private final String code;

    LookupFailure(String code) {
        this.code = code;
    }

    String code() {
        return code;
    }
}
