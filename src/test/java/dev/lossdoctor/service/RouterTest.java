package dev.lossdoctor.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.lossdoctor.service.Router.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouterTest {

    private HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", new Router()
                .get("/runs/{run_id}", r -> Response.text(200, "text/plain", "run " + r.param("run_id")))
                .get("/runs/{run_id}/chart.svg", r -> Response.text(200, "image/svg+xml", "chart " + r.param("run_id")))
                .get("/boom", r -> {
                    throw new IllegalStateException("kaput");
                }));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpResponse<String> request(String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a path the JDK client refuses to send. */
    private String rawStatusLine(String path) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.getAddress().getPort())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void shouldMatchPathParametersAndDecodeThem() throws Exception {
        assertThat(request("GET", "/runs/r1").body()).isEqualTo("run r1");
        assertThat(request("GET", "/runs/team%2Fexp%201+2").body()).isEqualTo("run team/exp 1+2");
        HttpResponse<String> chart = request("GET", "/runs/r1/chart.svg");
        assertThat(chart.body()).isEqualTo("chart r1");
        assertThat(chart.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    }

    @Test
    void shouldAnswerUnknownPathsWrongMethodsAndFailuresWithJsonErrors() throws Exception {
        HttpResponse<String> missing = request("GET", "/nothing/here");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"error\":\"no such path: /nothing/here\"}");

        assertThat(request("POST", "/runs/r1").statusCode()).isEqualTo(405);

        HttpResponse<String> boom = request("GET", "/boom");
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).contains("kaput");

        assertThat(rawStatusLine("/runs/%zz")).as("a malformed escape").isEqualTo("HTTP/1.1 400 Bad Request");
    }
}
