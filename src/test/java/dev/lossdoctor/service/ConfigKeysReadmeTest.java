package dev.lossdoctor.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's configuration table is {@link ConfigKeys}, row by row: no key, default, flag or variable documented apart. */
class ConfigKeysReadmeTest {

    private static final Path README = Path.of("README.md");
    private static final String HEADER = "| Key | Environment variable | Flag | Default | Meaning |";

    @Test
    void shouldDocumentEverySettingInReadmeExactlyAsTheTableHasIt() throws IOException {
        List<String> expected = ConfigKeys.markdownRows();

        List<String> documented = readmeRows();

        assertThat(documented)
                .as("README.md's configuration table (the rows under '%s'); it is generated from ConfigKeys.ALL. "
                        + "Expected rows:%n%s%n", HEADER, String.join("\n", expected))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void shouldGiveEachSettingItsOwnKeyFlagAndVariable() {
        assertThat(ConfigKeys.ALL).extracting(ConfigKeys.Key::key).doesNotHaveDuplicates()
                .containsExactlyElementsOf(AppConfig.defaultValues().keySet());
        assertThat(ConfigKeys.ALL).extracting(ConfigKeys.Key::envVar).doesNotHaveDuplicates();
        assertThat(ConfigKeys.ALL.stream().flatMap(k -> k.commandLineFlag().stream()).toList()).doesNotHaveDuplicates()
                .allMatch(f -> f.startsWith("--"));
        assertThat(ConfigKeys.ALL).filteredOn(k -> k.flag() != null).allMatch(k -> k.paramLabel() != null);
        assertThat(ConfigKeys.find(AppConfig.INSTANCE_ID)).get().extracting(ConfigKeys.Key::envVar, ConfigKeys.Key::flag)
                .containsExactly("LOSSDOCTOR_INSTANCE_ID", "--instance-id");
    }

    /** The rows between the table's header (and its separator) and the first line that is not a row. */
    private static List<String> readmeRows() throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int header = lines.indexOf(HEADER);
        assertThat(header).as("README.md has the configuration table's header " + HEADER).isNotNegative();
        assertThat(lines.get(header + 1)).startsWith("|---");
        return lines.subList(header + 2, lines.size()).stream().takeWhile(l -> l.startsWith("|")).toList();
    }
}
