package dev.lossdoctor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.cli.LossDoctor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze --html}: the report is written, stdout stays exactly what it was. */
class AnalyzeHtmlTest {

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    static Result analyze(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            List<String> all = new ArrayList<>(List.of("analyze"));
            all.addAll(List.of(args));
            int exit = LossDoctor.execute(all.toArray(String[]::new));
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Two runs in one file: one falling steadily, one overfitting after epoch 12. */
    static Path curves(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("{\"type\":\"run_started\",\"run_id\":\"steady <1>\",\"config\":{\"optimizer\":\"adam\"}}");
        lines.add("{\"type\":\"run_started\",\"run_id\":\"overfit & co\"}");
        for (int e = 1; e <= 30; e++) {
            double train = 2.0 * Math.exp(-e / 8.0) + 0.1;
            lines.add(String.format(Locale.ROOT, "{\"run_id\":\"steady <1>\",\"epoch\":%d,\"loss\":%.5f,\"val_loss\":%.5f,"
                    + "\"accuracy\":%.3f,\"val_accuracy\":%.3f}", e, train, train + 0.05, 1 - train / 2.2, 0.95 - train / 2.2));
            double val = 1.2 * Math.exp(-e / 5.0) + 0.3 + (e > 12 ? 0.02 * (e - 12) : 0);
            lines.add(String.format(Locale.ROOT, "{\"run_id\":\"overfit & co\",\"epoch\":%d,\"metrics\":{\"train_loss\":%.5f,"
                    + "\"val_loss\":%.5f}}", e, train * 0.8, val));
        }
        lines.add("{\"type\":\"run_finished\",\"run_id\":\"overfit & co\",\"epoch\":30}");
        Path file = dir.resolve("runs.jsonl");
        Files.write(file, lines);
        return file;
    }

    @Test
    void shouldWriteTheReportAndLeaveTheTableOnStdoutAsItWas() throws IOException {
        Path input = curves(dir);
        Path report = dir.resolve("report.html");

        Result plain = analyze(input.toString());
        Result withHtml = analyze("--html", report.toString(), input.toString());

        assertThat(withHtml.exit()).isZero();
        assertThat(withHtml.out()).isEqualTo(plain.out()).contains("run steady <1>:");
        String html = Files.readString(report);
        assertThat(html).contains("steady &lt;1&gt;", "overfit &amp; co", "class=\"series train-loss\"", "class=\"series train-acc\"");
        assertThat(html.split("<section ", -1)).hasSize(3);
        assertThat(withHtml.err()).contains("report: " + report + " (2 runs)");
    }

    @Test
    void shouldLeaveJsonlAloneOnStdout() throws IOException {
        Path input = curves(dir);

        Result plain = analyze("--format", "jsonl", input.toString());
        Result withHtml = analyze("--format", "jsonl", "--html", dir.resolve("r.html").toString(), input.toString());

        assertThat(withHtml.exit()).isZero();
        assertThat(withHtml.out()).isEqualTo(plain.out());
        assertThat(withHtml.out().lines()).isNotEmpty().allMatch(l -> l.startsWith("{\"run_id\":"));
        assertThat(Files.readString(dir.resolve("r.html"))).contains("<table class=\"summary\">");
    }

    @Test
    void shouldFailInOneLineWhenTheReportCannotBeWritten() throws IOException {
        Path input = curves(dir);

        Result noDir = analyze("--html", dir.resolve("missing/report.html").toString(), input.toString());
        Result isDir = analyze("--html", dir.toString(), input.toString());

        assertThat(noDir.exit()).isNotZero();
        assertThat(noDir.err().lines()).singleElement().asString().startsWith("loss-doctor: cannot write report")
                .contains("no such directory");
        assertThat(isDir.exit()).isNotZero();
        assertThat(isDir.err().lines()).singleElement().asString().contains("it is a directory");
    }

    /** The inline charts of a report, parsed. */
    private static List<SvgDoc> charts(String html) {
        List<SvgDoc> out = new ArrayList<>();
        for (int from = html.indexOf("<svg "); from >= 0; from = html.indexOf("<svg ", from + 1)) {
            out.add(new SvgDoc(html.substring(from, html.indexOf("</svg>", from) + "</svg>".length())));
        }
        return out;
    }

    @Test
    void shouldMarkTheRecoveredSpikesOfRealRunsOnTheirCharts() throws IOException {
        Path report = dir.resolve("spikes.html");

        Result result = analyze("--html", report.toString(), "bench/corpus/sc-010.jsonl", "bench/corpus/sc-011.jsonl",
                curves(dir).toString());

        assertThat(result.exit()).isZero();
        List<SvgDoc> charts = charts(Files.readString(report));
        assertThat(charts).hasSize(4);
        List<String> marked = new ArrayList<>();
        for (SvgDoc chart : charts) {
            for (org.w3c.dom.Element mark : chart.byClass("path", "spike")) {
                marked.add(mark.getTextContent());
                // right above a vertex of the training loss that is a peak: higher than the points either side
                String[] tip = mark.getAttribute("d").substring(1).split("[ l]");
                double x = Double.parseDouble(tip[0]), y = Double.parseDouble(tip[1]);
                List<double[]> line = SvgDoc.subpaths(chart.byClass("path", "train-loss").get(0).getAttribute("d")).stream()
                        .flatMap(List::stream).toList();
                int at = -1;
                for (int i = 0; i < line.size(); i++) {
                    if (Math.abs(line.get(i)[0] - x) < 0.5) {
                        at = i;
                    }
                }
                assertThat(at).as("a train-loss vertex under the spike marker").isPositive().isLessThan(line.size() - 1);
                assertThat(line.get(at)[1] - y).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.1));
                assertThat(line.get(at)[1]).isLessThan(line.get(at - 1)[1]).isLessThan(line.get(at + 1)[1]);
            }
        }
        assertThat(marked).containsExactlyInAnyOrder(
                "Recovered loss spike at epoch 35: the training loss jumped and came back down",
                "Recovered loss spike at epoch 6: the training loss jumped and came back down");
        // with accuracy, best val and changes in the legend too, its key says just "spike" to fit
        assertThat(charts).filteredOn(c -> c.one("//g[@class='legend']").getTextContent().contains("spike")).hasSize(2);
    }
}
