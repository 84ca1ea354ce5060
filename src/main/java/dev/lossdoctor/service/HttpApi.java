package dev.lossdoctor.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.lossdoctor.chart.ChartSvg;
import dev.lossdoctor.chart.LivePage;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.service.Router.Request;
import dev.lossdoctor.service.Router.Response;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The HTTP endpoints, on the JDK {@code HttpServer}. Adding one is one line in {@link #routes}.
 */
final class HttpApi implements AutoCloseable {

    static final String BEARER = "Bearer ";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";
    static final String SVG = "image/svg+xml";

    private final LossDoctorService service;
    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final ExecutorService executor;

    private HttpApi(LossDoctorService service, PrometheusMeterRegistry registry, HttpServer server, ExecutorService executor) {
        this.service = service;
        this.registry = registry;
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code host:port} (port 0: any free port) and starts serving. */
    static HttpApi start(String host, int port, LossDoctorService service, PrometheusMeterRegistry registry) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (BindException e) {
            throw new StartupException("can't serve HTTP on " + host + ":" + port + ": "
                    + (port == 0 ? e.getMessage() : "port " + port + " is in use"), e);
        } catch (IOException e) {
            throw new StartupException("can't serve HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpApi api = new HttpApi(service, registry, server, executor);
        server.createContext("/", api.routes());
        server.setExecutor(executor);
        server.start();
        return api;
    }

    private Router routes() {
        return new Router()
                .get("/metrics", r -> Response.text(200, PROMETHEUS_TEXT, registry.scrape()))
                .get("/health/live", this::live)
                .get("/health/ready", this::ready)
                .get("/runs", bearer(this::runs))
                .get("/runs/{run_id}", bearer(this::run))
                .get("/runs/{run_id}/chart.svg", bearer(this::chart))
                .get("/", bearer(this::page));
    }

    /**
     * With {@code http.token} set, whatever shows runs (the statuses, the charts, the live page) needs
     * {@code Authorization: Bearer <token>} (compared in constant time); {@code /metrics} and
     * {@code /health} stay open for scrapers and probes.
     */
    private Router.Handler bearer(Router.Handler handler) {
        byte[] token = service.config().httpToken().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (token == null) {
            return handler;
        }
        return r -> {
            String header = r.exchange().getRequestHeaders().getFirst("Authorization");
            byte[] given = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                    ? header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(given, token)) {
                r.exchange().getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"loss-doctor\"");
                return Response.error(401, header == null ? "this endpoint needs a bearer token" : "wrong bearer token");
            }
            return handler.handle(r);
        };
    }

    int port() {
        return server.getAddress().getPort();
    }

    private Response live(Request r) {
        KafkaStreams.State state = service.streamsState();
        boolean alive = state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR;
        return health(alive, state);
    }

    private Response ready(Request r) {
        KafkaStreams.State state = service.streamsState();
        return health(state == KafkaStreams.State.RUNNING, state);
    }

    private static Response health(boolean ok, KafkaStreams.State state) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("status", ok ? "up" : "down");
        n.put("streams", String.valueOf(state));
        return Response.json(ok ? 200 : 503, n);
    }

    private Response runs(Request r) {
        try {
            List<RunStatus> runs = isLocal(r) ? service.queries().local() : service.queries().all();
            ArrayNode array = Json.MAPPER.createArrayNode();
            runs.forEach(s -> array.add(Json.statusNode(s)));
            return Response.json(200, array);
        } catch (RunQueries.UnavailableException e) {
            return Response.error(503, e.getMessage());
        }
    }

    private Response run(Request r) {
        String runId = r.param("run_id");
        try {
            Optional<RunStatus> status = isLocal(r) ? service.queries().localOne(runId) : service.queries().one(runId);
            return status.map(s -> Response.json(200, Json.statusNode(s)))
                    .orElseGet(() -> Response.error(404, "no run '" + runId + "'"));
        } catch (RunQueries.UnavailableException e) {
            return Response.error(503, e.getMessage());
        }
    }

    /** The live page: every run by severity, with its chart. */
    private Response page(Request r) {
        try {
            return Response.text(200, HTML, LivePage.render(service.queries().all()));
        } catch (RunQueries.UnavailableException e) {
            return Response.text(503, HTML, LivePage.unavailable(e.getMessage()));
        }
    }

    /** One run's chart, from its status' window, shaded from since_epoch. */
    private Response chart(Request r) {
        String runId = r.param("run_id");
        try {
            return service.queries().one(runId)
                    .map(s -> Response.text(200, SVG, ChartSvg.forStatus(s)))
                    .orElseGet(() -> Response.error(404, "no run '" + runId + "'"));
        } catch (RunQueries.UnavailableException e) {
            return Response.error(503, e.getMessage());
        }
    }

    /** Asked by another instance: answer from this one's store only, never forward again. */
    private static boolean isLocal(Request r) {
        return "local".equals(r.query().get("scope"));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
