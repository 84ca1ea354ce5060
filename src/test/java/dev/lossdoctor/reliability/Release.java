package dev.lossdoctor.reliability;

import dev.lossdoctor.cli.LossDoctor;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A released version's classes, to run in a JVM of its own against this build's state and topics.
 * The thin jar of each release (classes and resources only) is kept in the test resources under
 * {@code releases/}, because a CI clone has neither the tags nor an old build; its dependencies are
 * this build's (the test classpath), which is what an upgrade in place sees too.
 */
record Release(String version, Path jar) {

    static final Release V0_1_0 = of("0.1.0");

    static Release of(String version) {
        String resource = "/releases/loss-doctor-" + version + ".jar";
        URL url = Release.class.getResource(resource);
        if (url == null) {
            throw new IllegalStateException("no " + resource + " in the test resources");
        }
        try {
            return new Release(version, Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This build's main classes directory (or jar): what the release's jar stands in for. */
    static Path currentClasses() {
        try {
            return Path.of(LossDoctor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test classpath with this build's main classes replaced by the release's jar, in the same place. */
    String classpath() {
        Path current = currentClasses().toAbsolutePath().normalize();
        List<String> entries = new ArrayList<>();
        boolean replaced = false;
        for (String entry : JavaProcess.classpath().split(File.pathSeparator)) {
            if (!entry.isBlank() && Files.exists(Path.of(entry)) && Path.of(entry).toAbsolutePath().normalize().equals(current)) {
                entries.add(jar.toString());
                replaced = true;
            } else {
                entries.add(entry);
            }
        }
        if (!replaced) {
            throw new IllegalStateException("this build's classes (" + current + ") are not on the test classpath");
        }
        return String.join(File.pathSeparator, entries);
    }
}
