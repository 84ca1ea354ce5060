package dev.lossdoctor.reliability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own, started from this test's classpath (the one Maven's failsafe or surefire built:
 * target/classes, target/test-classes and the dependencies), so that a test can kill it with
 * SIGKILL. Its stdout and stderr go to a log file the test can read.
 */
final class JavaProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private Process process;

    JavaProcess(String name, List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> env, Path log) {
        this(name, jvmOptions, mainClass, args, env, log, classpath());
    }

    /** @param classpath the child's classpath, e.g. {@link Release#classpath()} to run a released version */
    JavaProcess(String name, List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> env, Path log,
                String classpath) {
        this.name = name;
        this.env = env;
        this.log = log;
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.add("-Xmx512m");
        c.add("-XX:+UseSerialGC"); // two cores shared by everything: no parallel GC threads
        c.addAll(jvmOptions);
        c.add("-cp");
        c.add(classpath);
        c.add(mainClass);
        c.addAll(args);
        this.command = List.copyOf(c);
    }

    /** The classpath of this test JVM: failsafe and surefire put it in a property when they use a manifest-only jar. */
    static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return cp.replace(File.pathSeparatorChar == ':' ? ";" : ":", File.pathSeparator);
    }

    JavaProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        b.environment().putAll(env);
        try {
            Files.writeString(log, "==== " + java.time.Instant.now() + " start " + name + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = b.start();
        } catch (IOException e) {
            throw new UncheckedIOException("can't start " + name, e);
        }
        return this;
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye to the group. */
    void kill9() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") did not die");
            }
        }
    }

    /** SIGTERM, then SIGKILL when it does not stop within the grace. */
    void stop(Duration grace) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill9();
            }
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int exitValue() {
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    Path logFile() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(10));
    }
}
