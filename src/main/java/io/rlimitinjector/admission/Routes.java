package io.rlimitinjector.admission;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each request from the endpoint registered for its exact path and method: 404 for any other path, 405 for
 * a method its path does not take. A {@link BadAdmissionRequest} an endpoint lets through, as {@link RequestBody}
 * throws it, is answered with its status and message. Anything else an endpoint throws gets a 500 with a short
 * message and its cause logged, so a bug shows in no answer as a stack trace and stops nothing but its own request.
 */
public final class Routes extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(Routes.class);

    /** Filled before the server starts, only read once it runs. */
    private final Map<String, Map<String, Endpoint>> endpoints = new HashMap<>();

    /** Also for HEAD, which Jetty answers without the body. */
    public Routes get(String path, Endpoint endpoint) {
        return add(path, "GET", endpoint).add(path, "HEAD", endpoint);
    }

    public Routes post(String path, Endpoint endpoint) {
        return add(path, "POST", endpoint);
    }

    private Routes add(String path, String method, Endpoint endpoint) {
        endpoints.computeIfAbsent(path, any -> new LinkedHashMap<>()).put(method, endpoint);
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Answer answer = answer(request, response);
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
        return true;
    }

    private Answer answer(Request request, Response response) {
        Map<String, Endpoint> methods = endpoints.get(request.getHttpURI().getPath());
        if (methods == null) {
            return Answer.text(404, "not found");
        }
        Endpoint endpoint = methods.get(request.getMethod());
        if (endpoint == null) {
            response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", methods.keySet()));
            return Answer.text(405, "method not allowed");
        }
        try {
            return endpoint.answer(request);
        } catch (BadAdmissionRequest e) {
            // The rest of the body may be unread, so the connection cannot carry another request.
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            return Answer.text(e.status(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(request, e);
        } catch (Exception e) {
            return failed(request, e);
        }
    }

    private static Answer failed(Request request, Exception e) {
        LOG.error("{} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
        return Answer.text(500, "internal error; the webhook's log has the cause");
    }

    /** Answers one request; reads its body, if it needs one, with {@link RequestBody}. */
    @FunctionalInterface
    public interface Endpoint {
        Answer answer(Request request) throws Exception;
    }
}
