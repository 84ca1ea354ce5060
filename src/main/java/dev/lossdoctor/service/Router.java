package dev.lossdoctor.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.lossdoctor.io.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small router for the JDK {@code HttpServer}: {@code router.get("/runs/{run_id}", handler)}.
 * A {@code {name}} segment matches one path segment, URL-decoded (so {@code %2F} in a run id is
 * fine). Unknown paths are 404, other methods 405, and a handler's exception a logged 500; every
 * error is a JSON object {@code {"error": "..."}}.
 */
public final class Router implements HttpHandler {

    /** Answers one request. */
    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws Exception;
    }

    /** A request: the path parameters and the query parameters, decoded. */
    public record Request(HttpExchange exchange, Map<String, String> params, Map<String, String> query) {
        public String param(String name) {
            return params.get(name);
        }
    }

    /** A response: status, content type and body. */
    public record Response(int status, String contentType, byte[] body) {

        public static Response json(int status, JsonNode value) {
            return new Response(status, "application/json", Json.bytes(value));
        }

        public static Response text(int status, String contentType, String body) {
            return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }

        public static Response error(int status, String message) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("error", message);
            return json(status, n);
        }
    }

    private record Route(String method, String[] segments, Handler handler) {
    }

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final List<Route> routes = new ArrayList<>();

    public Router get(String pattern, Handler handler) {
        routes.add(new Route("GET", split(pattern), handler));
        return this;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Response response;
        try {
            response = route(exchange);
        } catch (BadRequest e) {
            response = Response.error(400, e.getMessage());
        } catch (Exception e) {
            log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            response = Response.error(500, "internal error: " + e.getMessage());
        }
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(response.status(), head ? -1 : response.body().length == 0 ? -1 : response.body().length);
            if (!head && response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }

    private Response route(HttpExchange exchange) throws Exception {
        String[] path = split(exchange.getRequestURI().getRawPath());
        String method = exchange.getRequestMethod().equals("HEAD") ? "GET" : exchange.getRequestMethod();
        boolean pathMatched = false;
        for (Route r : routes) {
            Map<String, String> params = match(r.segments(), path);
            if (params == null) {
                continue;
            }
            pathMatched = true;
            if (r.method().equals(method)) {
                return r.handler().handle(new Request(exchange, params, query(exchange.getRequestURI().getRawQuery())));
            }
        }
        return pathMatched ? Response.error(405, "method " + exchange.getRequestMethod() + " not allowed")
                : Response.error(404, "no such path: " + exchange.getRequestURI().getPath());
    }

    private static Map<String, String> match(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                String value = decode(path[i]);
                if (value.isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), value);
            } else if (!p.equals(decode(path[i]))) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path == null ? "" : path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> q = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return q;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            q.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return q;
    }

    private static String decode(String s) {
        try {
            // a path segment: '+' is a plus sign, not a space
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("bad URL encoding in '" + s + "'");
        }
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
