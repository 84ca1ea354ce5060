package dev.lossdoctor.kafka;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real in-process KRaft broker ({@link EmbeddedKafkaBroker}) for integration tests, stopped (and
 * its data removed) after use. On a static field, one broker for the class (started before its
 * first test, stopped after its last); on an instance field, a fresh broker for each test (each
 * invocation of a parameterized one), for tests that must not see each other's topics or groups:
 * <pre>
 * {@literal @}RegisterExtension
 * static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
 * ... kafka.bootstrapServers() ...
 * </pre>
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private final Supplier<EmbeddedKafkaBroker> start;
    private EmbeddedKafkaBroker broker;
    private boolean perTest;

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
            throw new IllegalStateException("a KafkaBrokerExtension was started twice");
        }
        broker = start.get();
    }

    /** Called without {@link #beforeAll} only when registered on an instance field: a broker for this test. */
    @Override
    public void beforeEach(ExtensionContext context) {
        if (broker == null) {
            perTest = true;
            broker = start.get();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            afterAll(context);
        }
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
            throw new IllegalStateException("the broker runs only while the class's (or the test's) extension is active");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }
}
