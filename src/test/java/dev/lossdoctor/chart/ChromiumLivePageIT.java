package dev.lossdoctor.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import dev.lossdoctor.schemas.SchemaChecks;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.LossDoctorService;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's page at {@code /} and its {@code chart.svg}, served by a real running service
 * reading a real (in-process) broker, opened in real headless Chromium.
 */
class ChromiumLivePageIT {

    @TempDir
    static Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    private static LossDoctorService service;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final Pattern RUN_ID = Pattern.compile("\"run_id\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    @BeforeAll
    static void startServiceAndPublishRuns() throws Exception {
        assumeTrue(Chromium.installed(), "no Chromium at " + Chromium.BINARY
                + ": install Debian's chromium (apt-get install chromium chromium-driver) to run the browser tests");
        service = LossDoctorService.start(AppConfig.of(Map.of(
                AppConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                AppConfig.APPLICATION_ID, "charts-it",
                AppConfig.STATE_DIR, Files.createDirectories(dir.resolve("state")).toString(),
                AppConfig.HTTP_HOST, "127.0.0.1",
                AppConfig.HTTP_PORT, "0",
                "kafka.commit.interval.ms", "100",
                "kafka.num.stream.threads", "1")));
        assertThat(service.awaitRunning(Duration.ofSeconds(90))).as("streams RUNNING").isTrue();

        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), SchemaChecks.sending(new StringSerializer()))) {
            for (String line : Files.readAllLines(TestCurves.fourRuns(dir))) {
                Matcher id = RUN_ID.matcher(line);
                assertThat(id.find()).isTrue();
                String runId = Json.MAPPER.readTree("\"" + id.group(1) + "\"").asText();
                producer.send(new ProducerRecord<>(service.config().topics().metrics().name(), runId, line));
            }
        }
        AtomicReference<JsonNode> runs = new AtomicReference<>();
        await("the service holding the 4 runs with every point").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    runs.set(Json.MAPPER.readTree(get("/runs").body()));
                    return runs.get().size() == 4 && sum(runs.get()) >= 60 + 30 + 600 + 50;
                });
    }

    private static long sum(JsonNode runs) {
        long n = 0;
        for (JsonNode r : runs) {
            n += r.path("points").asLong();
        }
        return n;
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + service.httpPort() + path;
    }

    /** GET on the service; a {@code /runs} answer is validated against the status schema. */
    private static HttpResponse<String> get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        SchemaChecks.httpAnswer(path, r.statusCode(), r.body());
        return r;
    }

    private static int count(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void shouldServeThePageWithEveryLiveRunsChartMostSevereFirst() throws Exception {
        Chromium chromium = new Chromium(dir);

        String dom = chromium.dumpDom(url("/"), 0);
        Path png = chromium.screenshot(url("/"), "live");

        assertThat(count("<section class=\"run \\w+\" id=\"run-\\d\">", dom)).isEqualTo(4);
        assertThat(count("<path class=\"series train-loss\" d=\"M[0-9]", dom)).isEqualTo(4);
        assertThat(count("<rect class=\"band (info|warning|critical)\"", dom)).isGreaterThanOrEqualTo(4);
        assertThat(count("<tr class=\"(critical|warning|info)\">", dom)).isEqualTo(4);
        // the run gone to NaN is critical: it comes first
        assertThat(dom.indexOf(">diverging</a>")).isLessThan(dom.indexOf(">plateau</a>"));
        assertThat(dom).contains("setInterval(").contains("overfit &lt;b&gt;&amp;amp;").doesNotContain("<b>");

        BufferedImage image = ImageIO.read(png.toFile());
        ChromiumReportIT.Pixels pixels = new ChromiumReportIT.Pixels(image);
        assertThat(pixels.distinctColours()).as("not blank").isGreaterThan(50);
        assertThat(pixels.near(0xfad3ce, 4)).as("critical shading painted").isGreaterThan(5_000);
        assertThat(pixels.near(0x1f77b4, 40)).as("train loss lines painted").isGreaterThan(300);
    }

    @Test
    void shouldServeEachRunsChartAsSvg() throws Exception {
        HttpResponse<String> svg = get("/runs/" + LivePage.segment("overfit <b>&amp;\"x\"") + "/chart.svg");
        HttpResponse<String> missing = get("/runs/nope/chart.svg");

        assertThat(svg.statusCode()).isEqualTo(200);
        assertThat(svg.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
        SvgDoc doc = new SvgDoc(svg.body());
        assertThat(doc.byClass("path", "train-loss")).hasSize(1);
        assertThat(doc.byClass("rect", "band")).hasSize(1);
        assertThat(missing.statusCode()).isEqualTo(404);

        // and a browser draws it as an image of its own
        Path png = new Chromium(dir).screenshot(url("/runs/diverging/chart.svg"), "chart");
        assertThat(new ChromiumReportIT.Pixels(ImageIO.read(png.toFile())).near(0xfad3ce, 4)).isGreaterThan(5_000);
    }

    @Test
    void shouldRefreshByItself() throws Exception {
        assumeTrue(WebDriverSession.installed(), "no chromedriver: install Debian's chromium-driver");
        try (WebDriverSession browser = new WebDriverSession(dir)) {
            browser.open(url("/"));
            assertThat(browser.source()).contains("<h1>Loss Doctor").doesNotContain("late-run");

            // a new run starts while the page is open
            Properties props = new Properties();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), SchemaChecks.sending(new StringSerializer()))) {
                for (int e = 1; e <= 12; e++) {
                    producer.send(new ProducerRecord<>(service.config().topics().metrics().name(), "late-run",
                            "{\"run_id\":\"late-run\",\"epoch\":" + e + ",\"loss\":" + (1.0 / e) + ",\"val_loss\":" + (1.1 / e) + "}"));
                }
            }

            AtomicReference<String> page = new AtomicReference<>(browser.source());
            try {
                await().atMost(Duration.ofSeconds(LivePage.REFRESH_SECONDS * 6L)).pollInSameThread()
                        .pollInterval(Duration.ofMillis(500)).until(() -> {
                            page.set(browser.source());
                            return page.get().contains(">late-run</a>");
                        });
            } catch (ConditionTimeoutException e) {
                // the assertion below shows the page as it was
            }
            String source = page.get();
            assertThat(source).as("the page fetched itself again and shows the new run").contains(">late-run</a>");
            assertThat(count("<section class=\"run ", source)).isEqualTo(5);
        }
    }
}
