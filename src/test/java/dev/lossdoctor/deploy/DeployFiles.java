package dev.lossdoctor.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What the deployment tests share: the project's files, YAML (SnakeYAML, which the Kafka broker
 * dependencies bring at runtime scope: no new dependency), and running external tools.
 */
public final class DeployFiles {

    static final Path ROOT = findRoot();
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Path AMTOOL = Path.of("/usr/bin/amtool");
    /** Debian's interpreter, which has python3-kafka, python3-torch, python3-sklearn, python3-yaml. */
    static final Path PYTHON = Path.of("/usr/bin/python3");

    static final Path RULES = ROOT.resolve("deploy/prometheus/rules/loss-doctor.rules.yml");
    static final Path RULE_TESTS = ROOT.resolve("deploy/prometheus/tests");
    static final Path DASHBOARD = ROOT.resolve("deploy/grafana/dashboards/loss-doctor.json");

    private DeployFiles() {}

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no pom.xml above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Object yaml(Path file) {
        try {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Object> yamlDocuments(Path file) {
        try {
            List<Object> docs = new ArrayList<>();
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
                if (doc != null) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String dumpYaml(Object data) {
        return new Yaml().dump(data);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        if (!(o instanceof Map)) {
            fail("expected a mapping, got " + o);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        if (!(o instanceof List)) {
            fail("expected a list, got " + o);
        }
        return (List<Object>) o;
    }

    /** Follows a path of keys (and list indexes) through nested YAML/JSON maps; null when absent. */
    static Object at(Object root, Object... path) {
        Object o = root;
        for (Object key : path) {
            if (o instanceof Map<?, ?> m) {
                o = m.get(key);
            } else if (o instanceof List<?> l && key instanceof Integer i) {
                o = i < l.size() ? l.get(i) : null;
            } else {
                return null;
            }
        }
        return o;
    }

    /** The result of running an external command. */
    public record Run(int exitCode, String output) {
        public Run assertSuccess(String what) {
            assertTrue(exitCode == 0, what + " failed with exit code " + exitCode + ":\n" + output);
            return this;
        }
    }

    /** Runs a command in {@code dir}, stdout and stderr together, killing it after {@code timeout}. */
    public static Run run(Path dir, Duration timeout, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                } catch (IOException ignored) {
                    // the process was killed
                }
            });
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                reader.join(5000);
                fail(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                        + out.toString(StandardCharsets.UTF_8));
            }
            reader.join(5000);
            return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<Path> ruleTestFiles() {
        try (var files = Files.list(RULE_TESTS)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".test.yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
