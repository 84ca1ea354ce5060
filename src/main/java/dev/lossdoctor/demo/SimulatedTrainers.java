package dev.lossdoctor.demo;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.demo.DemoCurves.Curve;
import dev.lossdoctor.publish.EventPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trainers that replay recorded training curves through a real Kafka producer, as a training
 * script would publish them, with {@code publish}'s own {@link EventPublisher} (key = run id,
 * value = the event's JSON, idempotent, acks=all), one event per epoch, each run on its own
 * schedule. At speed 1 a run reports about one epoch every 0.5 s and a new
 * run starts every second. Each event's {@code timestamp} is rewritten to the replay's wall clock,
 * so the service sees live runs (and its stalled detection behaves). One thread sends everything,
 * in order within a run.
 */
public final class SimulatedTrainers implements AutoCloseable {

    /** Time between two epochs of a run at speed 1 (each run varies it by up to ±20%). */
    public static final Duration EPOCH_PERIOD = Duration.ofMillis(500);
    /** Time between the starts of two runs at speed 1. */
    public static final Duration STAGGER = Duration.ofSeconds(1);
    /** With {@code loop}: the pause between a run's end and its next round, at speed 1. */
    public static final Duration ROUND_PAUSE = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(SimulatedTrainers.class);

    private final EventPublisher publisher;
    private final List<Curve> curves;
    private final double speed;
    private final boolean loop;
    private final Clock clock;
    private final PriorityQueue<Replay> queue = new PriorityQueue<>(Comparator.comparingLong(Replay::due).thenComparingInt(r -> r.index));
    private final AtomicLong runsFinished = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean done;
    private volatile Exception error;

    /**
     * @param producer the producer to send with (closed by {@link #close()})
     * @param topic the metrics topic ({@code training-metrics})
     * @param speed 1 = watchable (about 2 epochs per second per run); 10 = ten times faster
     * @param loop when a run ends, replay it again (as a new run, id suffixed {@code -r2}, {@code -r3}, ...)
     */
    SimulatedTrainers(Producer<String, TrainingEvent> producer, String topic, List<Curve> curves, double speed, boolean loop,
                      Clock clock) {
        this(new EventPublisher(producer, topic), curves, speed, loop, clock);
    }

    /** Starts trainers that publish to the brokers at {@code bootstrapServers}. */
    public static SimulatedTrainers start(String bootstrapServers, String topic, List<Curve> curves, double speed, boolean loop) {
        SimulatedTrainers t = new SimulatedTrainers(EventPublisher.connect(producerConfig(bootstrapServers), topic), curves, speed,
                loop, Clock.systemUTC());
        t.start();
        return t;
    }

    private SimulatedTrainers(EventPublisher publisher, List<Curve> curves, double speed, boolean loop, Clock clock) {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a positive number, not " + speed);
        }
        this.publisher = publisher;
        this.curves = List.copyOf(curves);
        this.speed = speed;
        this.loop = loop;
        this.clock = clock;
        this.thread = new Thread(this::replay, "simulated-trainers");
        this.thread.setDaemon(true);
    }

    /** {@code publish}'s producer settings (idempotent, acks=all), for the demo's broker. */
    public static Properties producerConfig(String bootstrapServers) {
        return EventPublisher.producerProperties(bootstrapServers, Map.of(), Duration.ofSeconds(30), "loss-doctor-demo-trainers");
    }

    void start() {
        long now = System.nanoTime();
        for (int i = 0; i < curves.size(); i++) {
            queue.add(new Replay(i, curves.get(i), 1, now + scaled(STAGGER) * i));
        }
        thread.start();
    }

    /** Events handed to the producer. */
    public long sent() {
        return publisher.sent();
    }

    /** Events the broker acknowledged. */
    public long acked() {
        return publisher.acked();
    }

    /** Events the producer failed to deliver. */
    public long failed() {
        return publisher.failed();
    }

    /** Runs replayed to their end (their run_finished sent). */
    public long runsFinished() {
        return runsFinished.get();
    }

    /** True when every run has been replayed (never with {@code loop}). */
    public boolean done() {
        return done;
    }

    /** The error that stopped the trainers, else the first delivery error, or null. */
    public Exception lastError() {
        return error != null ? error : publisher.firstError();
    }

    private long scaled(Duration d) {
        return Math.max(1, Math.round(d.toNanos() / speed));
    }

    private void replay() {
        try {
            while (!stopping) {
                Replay r = queue.peek();
                if (r == null) {
                    done = true;
                    publisher.flush();
                    return;
                }
                long wait = r.due() - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
                    continue;
                }
                queue.poll();
                send(r);
                if (++r.next < r.events.size()) {
                    queue.add(r);
                } else {
                    runsFinished.incrementAndGet();
                    if (loop) {
                        queue.add(new Replay(r.index, r.curve, r.round + 1, r.due() + scaled(ROUND_PAUSE)));
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                error = e;
                log.error("simulated trainers stopped", e);
            }
        }
    }

    private void send(Replay r) {
        long now = clock.millis();
        publisher.send(retimed(r.events.get(r.next), r.runId, Instant.ofEpochMilli(now)), now);
    }

    /** The event as this round of the replay sends it: under the round's run id, stamped with the replay's clock. */
    static TrainingEvent retimed(TrainingEvent e, String runId, Instant at) {
        if (e instanceof MetricsReported m) {
            return new MetricsReported(runId, m.epoch(), m.step(), at, m.metrics(), m.fractionalEpoch());
        }
        if (e instanceof RunStarted s) {
            return new RunStarted(runId, at, s.config());
        }
        RunFinished f = (RunFinished) e;
        return new RunFinished(runId, f.epoch(), f.status(), at);
    }

    /** Stops sending, delivers what was sent, and closes the producer (a few seconds at most). */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close(Duration.ofSeconds(3));
    }

    /** One round of one run's replay: which event is next and when it is due. */
    private final class Replay {
        final int index;
        final Curve curve;
        final int round;
        final String runId;
        final List<TrainingEvent> events;
        final long start;
        final long period;
        int next;

        Replay(int index, Curve curve, int round, long start) {
            this.index = index;
            this.curve = curve;
            this.round = round;
            this.runId = round == 1 ? curve.runId() : curve.runId() + "-r" + round;
            this.events = withEnd(curve);
            this.start = start;
            // each run keeps its own pace (80% to 120% of the period), so the runs don't tick together
            this.period = Math.round(scaled(EPOCH_PERIOD) * (0.8 + 0.4 * ((index * 7) % 11) / 10.0));
        }

        long due() {
            return start + period * next;
        }
    }

    /** The run's events, ending with a run_finished (one is added, after its last epoch, when the logs have none). */
    static List<TrainingEvent> withEnd(Curve curve) {
        List<TrainingEvent> events = new ArrayList<>(curve.events());
        if (events.isEmpty() || !(events.get(events.size() - 1) instanceof RunFinished)) {
            Long epoch = null;
            for (int i = events.size() - 1; i >= 0 && epoch == null; i--) {
                if (events.get(i) instanceof MetricsReported m) {
                    epoch = m.epoch();
                }
            }
            events.add(new RunFinished(curve.runId(), epoch, "completed", null));
        }
        return events;
    }
}
