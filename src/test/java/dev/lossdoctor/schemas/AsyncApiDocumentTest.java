package dev.lossdoctor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lossdoctor.deploy.DeployFiles;
import dev.lossdoctor.deploy.DeployFiles.Run;
import dev.lossdoctor.streams.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code docs/asyncapi.yaml}: the AsyncAPI parser (npm {@code @asyncapi/parser}, installed in
 * {@code .ci/asyncapi}) finds it valid, $refs to the JSON Schemas included, and rejects a broken
 * copy; and it names the contract's topics and every shipped schema.
 */
class AsyncApiDocumentTest {

    private static final Path DOC = Path.of("docs/asyncapi.yaml");
    private static final Path TOOL = Path.of(".ci/asyncapi");

    @TempDir
    Path tmp;

    @Test
    void shouldBeValidForTheAsyncApiParser() {
        Run run = validate(DOC);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("valid AsyncAPI 3.0.0")
                .contains("channels training-metrics, training-diagnoses, training-run-status, training-metrics-dlq")
                .contains("8 operations, 4 messages")
                .doesNotContain("error ");
        System.out.print(run.output());
    }

    @Test
    void shouldBeRejectedByTheParserWhenASchemaItPointsAtIsMissingOrBroken() throws IOException {
        Path schemas = Files.createDirectories(tmp.resolve("schemas"));
        try (Stream<Path> files = Files.list(Path.of("docs/schemas"))) {
            for (Path f : files.toList()) {
                Files.copy(f, schemas.resolve(f.getFileName()));
            }
        }
        Path missingRef = tmp.resolve("missing-ref.yaml");
        Files.writeString(missingRef, Files.readString(DOC).replace("training-diagnoses.schema.json", "training-diagnosis.schema.json"));
        Run run = validate(missingRef);
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("invalid-ref").contains("training-diagnosis.schema.json");

        Files.writeString(schemas.resolve("training-run-status.schema.json"), Files.readString(
                schemas.resolve("training-run-status.schema.json")).replace("\"type\": \"boolean\"", "\"type\": \"yes-or-no\""));
        Path brokenSchema = tmp.resolve("broken-schema.yaml");
        Files.copy(DOC, brokenSchema);
        run = validate(brokenSchema);
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("/properties/finished/type");
    }

    @Test
    void shouldDescribeThePublicTopicsAndPointAtEveryShippedSchema() throws IOException {
        Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(DOC));
        assertThat(doc.get("asyncapi")).isEqualTo("3.0.0");
        Set<String> addresses = new TreeSet<>();
        ((Map<?, ?>) doc.get("channels")).values().forEach(c -> addresses.add((String) ((Map<?, ?>) c).get("address")));
        assertThat(addresses).containsExactlyInAnyOrder(Topics.METRICS, Topics.DIAGNOSES, Topics.STATUS, Topics.DLQ);

        Set<String> referenced = new TreeSet<>();
        Matcher m = Pattern.compile("\\./schemas/([a-z-]+)\\.schema\\.json").matcher(Files.readString(DOC));
        while (m.find()) {
            referenced.add(m.group(1));
        }
        assertThat(referenced).containsExactlyInAnyOrderElementsOf(Schemas.ALL);
        for (String name : referenced) {
            assertThat(Path.of("docs/schemas", name + ".schema.json")).exists();
        }
    }

    private static Run run(Duration timeout, String... command) {
        return DeployFiles.run(Path.of("."), timeout, List.of(command));
    }

    private Run validate(Path document) {
        assumeTrue(onPath("node"), "node is not installed: the AsyncAPI parser can't run (the Java checks of the document still do)");
        if (!Files.isDirectory(TOOL.resolve("node_modules/@asyncapi/parser"))) {
            assumeTrue(onPath("npm"), "npm is not installed: can't install the AsyncAPI parser into " + TOOL);
            Run install = run(Duration.ofMinutes(8), "npm", "ci", "--prefix", TOOL.toString(), "--ignore-scripts", "--no-audit", "--no-fund");
            assertThat(install.exitCode()).as("npm ci --prefix .ci/asyncapi:\n" + install.output()).isZero();
        }
        return run(Duration.ofMinutes(3), "node", TOOL.resolve("validate.mjs").toString(), document.toString());
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }
}
