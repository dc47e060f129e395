package io.rlimitinjector.admission;

import java.nio.charset.StandardCharsets;

/** What an endpoint answers: a status and a whole body of one content type. */
public record Answer(int status, String contentType, byte[] body) {
    public static Answer json(byte[] body) {
        return new Answer(200, "application/json", body);
    }

    /** A short message for whoever reads the logs of the caller, such as why a request was refused. */
    public static Answer text(int status, String message) {
        return new Answer(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }
}
