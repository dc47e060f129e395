package io.rlimitinjector.admission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.server.Request;

/**
 * A request's body, read whole, but kept only up to {@link ServerSettings#MAX_BODY_BYTES}, and only from a client
 * that keeps sending at {@link ServerSettings#MIN_REQUEST_BYTES_PER_SECOND}: one trickling its body (slow-loris) is
 * cut off instead of holding one of the few threads. Jetty enforces that rate only in its servlet layer.
 */
public final class RequestBody {
    /**
     * How far past the limit a body is still read, and thrown away: most clients send the whole body before they
     * read the answer, and only get the 413 once it is sent. A body longer still is cut off, its client told nothing.
     */
    private static final long READ_AT_MOST = 2L * ServerSettings.MAX_BODY_BYTES;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private RequestBody() {
    }

    /** The body; {@link BadAdmissionRequest} with 413, 408 or 400 when it is too large, too slow or broken. */
    public static byte[] read(Request request) {
        long declared = request.getLength();
        if (declared > READ_AT_MOST) {
            throw tooLarge();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(
                declared > 0 && declared <= ServerSettings.MAX_BODY_BYTES ? (int) declared : 8 * 1024);
        byte[] buffer = new byte[8 * 1024];
        long received = 0;
        long start = System.nanoTime();
        try {
            InputStream in = Request.asInputStream(request);
            for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                received += read;
                if (received <= ServerSettings.MAX_BODY_BYTES) {
                    body.write(buffer, 0, read);
                } else if (received > READ_AT_MOST) {
                    throw tooLarge();
                }
                // A client may fall one second behind the rate, not more.
                long due = ServerSettings.MIN_REQUEST_BYTES_PER_SECOND * (System.nanoTime() - start) / NANOS_PER_SECOND;
                if (received + ServerSettings.MIN_REQUEST_BYTES_PER_SECOND < due) {
                    throw new BadAdmissionRequest(408, "request body slower than "
                            + ServerSettings.MIN_REQUEST_BYTES_PER_SECOND + " bytes per second");
                }
            }
        } catch (IOException e) {
            throw new BadAdmissionRequest(400, "request body unreadable: " + e.getMessage());
        }
        if (received > ServerSettings.MAX_BODY_BYTES) {
            throw tooLarge();
        }
        return body.toByteArray();
    }

    private static BadAdmissionRequest tooLarge() {
        return new BadAdmissionRequest(413, "request body larger than " + ServerSettings.MAX_BODY_BYTES + " bytes");
    }
}
