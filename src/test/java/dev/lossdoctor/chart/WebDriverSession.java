package dev.lossdoctor.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lossdoctor.io.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A page kept open in headless Chromium through Debian's {@code chromedriver} (plain W3C WebDriver
 * over HTTP), for what a one-shot {@code --dump-dom} can't see: a page changing by itself.
 */
final class WebDriverSession implements AutoCloseable {

    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private final Process driver;
    private final String base;
    private final String session;
    private final HttpClient http = HttpClient.newHttpClient();

    static boolean installed() {
        return Files.isExecutable(DRIVER) && Chromium.installed();
    }

    WebDriverSession(Path work) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(DRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("chromedriver.log").toFile()).start();
        base = "http://127.0.0.1:" + port;
        waitForDriver();
        ObjectNode caps = Json.MAPPER.createObjectNode();
        ObjectNode options = caps.putObject("capabilities").putObject("alwaysMatch").putObject("goog:chromeOptions");
        options.put("binary", Chromium.BINARY.toString());
        var args = options.putArray("args");
        for (String a : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--user-data-dir=" + Files.createTempDirectory(work, "webdriver-profile-"), "--window-size=" + Chromium.WINDOW)) {
            args.add(a);
        }
        session = call("POST", "/session", caps).path("value").path("sessionId").asText();
    }

    void open(String url) throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode().put("url", url);
        call("POST", "/session/" + session + "/url", body);
    }

    String source() throws Exception {
        return call("GET", "/session/" + session + "/source", null).path("value").asText();
    }

    private void waitForDriver() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (call("GET", "/status", null).path("value").path("ready").asBoolean()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("chromedriver did not start");
            }
            Thread.sleep(100);
        }
    }

    private JsonNode call(String method, String path, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("WebDriver " + method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return Json.MAPPER.readTree(r.body());
    }

    @Override
    public void close() throws Exception {
        try {
            call("DELETE", "/session/" + session, null);
        } finally {
            driver.destroy();
            driver.waitFor();
        }
    }
}
