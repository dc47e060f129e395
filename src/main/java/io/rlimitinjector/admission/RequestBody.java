package io.rlimitinjector.admission;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.http.BadMessageException;

/**
 * A request's body, read whole, but kept only up to {@link ServerSettings#MAX_BODY_BYTES}. A client sending it slower
 * than the minimum data rate is cut off by Jetty, with 408.
 */
public final class RequestBody {
    /**
     * How far past the limit a body is still read, and thrown away: most clients send the whole body before they
     * read the answer, and only get the 413 once it is sent. A body longer still is cut off, its client told nothing.
     */
    private static final long READ_AT_MOST = 2L * ServerSettings.MAX_BODY_BYTES;

    private RequestBody() {
    }

    /** The body; {@link BadAdmissionRequest} with 413, 408 or 400 when it is too large, too slow or broken. */
    public static byte[] read(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > READ_AT_MOST) {
            throw tooLarge();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(
                declared > 0 && declared <= ServerSettings.MAX_BODY_BYTES ? (int) declared : 8 * 1024);
        byte[] buffer = new byte[8 * 1024];
        long received = 0;
        try {
            InputStream in = ctx.req().getInputStream();
            for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                received += read;
                if (received <= ServerSettings.MAX_BODY_BYTES) {
                    body.write(buffer, 0, read);
                } else if (received > READ_AT_MOST) {
                    throw tooLarge();
                }
            }
        } catch (BadMessageException e) {
            throw new BadAdmissionRequest(e.getCode(), "request body refused: " + e.getReason());
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
