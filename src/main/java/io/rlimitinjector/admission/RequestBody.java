package io.rlimitinjector.admission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.server.Request;

/**
 * A request's body, read whole, but never past {@link ServerSettings#MAX_BODY_BYTES}, and only from a client that
 * keeps sending at {@link ServerSettings#MIN_REQUEST_BYTES_PER_SECOND}: one trickling its body (slow-loris) is cut
 * off instead of holding one of the few threads. Jetty enforces that rate only in its servlet layer.
 */
public final class RequestBody {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private RequestBody() {
    }

    /** The body; {@link BadAdmissionRequest} with 413, 408 or 400 when it was not read whole. */
    public static byte[] read(Request request) {
        long declared = request.getLength();
        if (declared > ServerSettings.MAX_BODY_BYTES) {
            throw tooLarge();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8 * 1024);
        byte[] buffer = new byte[8 * 1024];
        long start = System.nanoTime();
        try {
            InputStream in = Request.asInputStream(request);
            for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                body.write(buffer, 0, read);
                // A chunked body declares no length: it is refused one read past the limit.
                if (body.size() > ServerSettings.MAX_BODY_BYTES) {
                    throw tooLarge();
                }
                // A client may fall one second behind the rate, not more.
                long due = ServerSettings.MIN_REQUEST_BYTES_PER_SECOND * (System.nanoTime() - start) / NANOS_PER_SECOND;
                if (body.size() + ServerSettings.MIN_REQUEST_BYTES_PER_SECOND < due) {
                    throw new BadAdmissionRequest(408, "request body slower than "
                            + ServerSettings.MIN_REQUEST_BYTES_PER_SECOND + " bytes per second");
                }
            }
        } catch (IOException e) {
            throw new BadAdmissionRequest(400, "request body unreadable: " + e.getMessage());
        }
        return body.toByteArray();
    }

    private static BadAdmissionRequest tooLarge() {
        return new BadAdmissionRequest(413, "request body larger than " + ServerSettings.MAX_BODY_BYTES + " bytes");
    }
}
