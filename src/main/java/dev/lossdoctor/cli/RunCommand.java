package dev.lossdoctor.cli;

import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.ConfigKeys;
import dev.lossdoctor.service.LossDoctorService;
import dev.lossdoctor.service.StartupException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run}: the service against a Kafka cluster, until Ctrl-C (or SIGTERM). */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the Loss Doctor service: reads training metrics from Kafka, publishes diagnoses and run "
                + "statuses, and serves /metrics, /health/live, /health/ready, /runs and /runs/{run_id}.",
                "",
                "Settings, each source over the one before it:",
                "  defaults < --config FILE < environment LOSSDOCTOR_<KEY>",
                "  < system properties -Dlossdoctor.<key> < these flags",
                "Kafka client and Streams settings pass through as kafka.<property>",
                "in the file and LOSSDOCTOR_KAFKA_<PROPERTY> in the environment,",
                "e.g. LOSSDOCTOR_KAFKA_SECURITY_PROTOCOL=SASL_SSL.",
                ""})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file of settings: stall.after=45m, kafka.security.protocol=SSL, ...")
    Path configFile;

    /** Adds a flag for each setting of {@link ConfigKeys} that has one: the table is their one source. */
    static void addSettingFlags(CommandSpec run) {
        for (ConfigKeys.Key key : ConfigKeys.ALL) {
            key.commandLineFlag().ifPresent(flag -> run.addOption(OptionSpec.builder(flag)
                    .type(String.class).paramLabel(key.paramLabel()).description(key.help()).build()));
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        AppConfig config;
        try {
            config = AppConfig.load(configFile, System.getenv(), System.getProperties(), flags());
        } catch (IllegalArgumentException e) {
            throw new LossDoctor.UserError(e.getMessage(), 2);
        }
        LossDoctorService service;
        try {
            service = LossDoctorService.start(config);
        } catch (StartupException e) {
            throw new LossDoctor.UserError(e.getMessage());
        }
        Thread hook = new Thread(service::close, "loss-doctor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter err = spec.commandLine().getErr();
        err.printf("Loss Doctor is running: reading %s from %s; HTTP on port %d (/metrics, /health/ready, /runs). Ctrl-C stops it.%n",
                config.topics().metrics().name(), config.bootstrapServers(), service.httpPort());
        err.flush();
        service.awaitTermination();
        if (service.streamsState() == KafkaStreams.State.ERROR) {
            service.close();
            throw new LossDoctor.UserError("Kafka Streams stopped on an error (see the log above)");
        }
        return 0;
    }

    /** The setting flags given, by key. */
    private Map<String, String> flags() {
        Map<String, String> f = new LinkedHashMap<>();
        for (ConfigKeys.Key key : ConfigKeys.ALL) {
            key.commandLineFlag().map(spec::findOption).map(OptionSpec::<String>getValue)
                    .ifPresent(value -> f.put(key.key(), value));
        }
        return f;
    }
}
