package dev.lossdoctor.kafka;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real in-process KRaft broker ({@link EmbeddedKafkaBroker}) per test class: started before the
 * class's first test, stopped (and its data removed) after its last. Register it on a static field:
 * <pre>
 * {@literal @}RegisterExtension
 * static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
 * ... kafka.bootstrapServers() ...
 * </pre>
 * A class whose tests each need a fresh broker (one that is killed, say) starts its own.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private final Supplier<EmbeddedKafkaBroker> start;
    private EmbeddedKafkaBroker broker;

    /** A broker with a PLAINTEXT listener on a free port. */
    public KafkaBrokerExtension() {
        this(EmbeddedKafkaBroker::start);
    }

    /** A broker started by {@code start}, e.g. {@code () -> EmbeddedKafkaBroker.start(saslSslListener)}. */
    public KafkaBrokerExtension(Supplier<EmbeddedKafkaBroker> start) {
        this.start = start;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (broker != null) {
            throw new IllegalStateException("KafkaBrokerExtension belongs on a static field: one broker per class");
        }
        broker = start.get();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** The running broker. */
    public EmbeddedKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker runs between the class's @BeforeAll and @AfterAll only");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }
}
