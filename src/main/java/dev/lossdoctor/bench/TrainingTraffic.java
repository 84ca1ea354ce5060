package dev.lossdoctor.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Realistic generated input for benchmarks and fault tests: many training runs reporting at once,
 * their events interleaved as they would arrive from a fleet of trainers. Each run has a config,
 * a noisy decaying loss curve of its own shape (learning, overfitting, plateau, oscillating,
 * diverging, slowly underfitting), and a finish. Deterministic for a seed.
 *
 * <p>Event time is {@code start} plus one second per epoch of the run, so a replay of the same
 * traffic is the same input, and the service never sees a run go silent while it is measured.
 */
public final class TrainingTraffic {

    /** One input record: key = run id, value = the event's JSON (DESIGN.md section 2), and its time. */
    public record Event(String runId, byte[] value, long timestampMillis) {
        public String json() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    private static final String[] OPTIMIZERS = {"adam", "sgd", "adamw", "adagrad", "rmsprop"};
    private static final String[] MODELS = {"resnet18", "resnet50", "vit-b16", "bert-base", "mlp", "unet"};
    private static final String[] DATASETS = {"cifar10", "imagenet", "mnist", "glue-sst2", "coco"};

    private final SplittableRandom random;
    private final long startMillis;
    private final String prefix;

    /**
     * @param seed the seed: the same seed, the same traffic
     * @param start event time of every run's first event
     * @param prefix run ids are {@code <prefix>-<n>}
     */
    public TrainingTraffic(long seed, Instant start, String prefix) {
        this.random = new SplittableRandom(seed);
        this.startMillis = start.toEpochMilli();
        this.prefix = prefix;
    }

    /**
     * The first {@code events} events of the benchmark's default input (seed 42, 6,000 runs, 1,500
     * live at a time, 50 to 300 epochs each): what the benchmarks without Kafka time the work on.
     */
    public static List<Event> benchInput(int events) {
        List<Event> out = new ArrayList<>(events);
        new TrainingTraffic(42, Instant.parse("2026-11-26T10:00:00Z"), "run").fleet(6000, 1500, 50, 300, events, out::add);
        return out;
    }

    /**
     * A fleet of {@code runs} runs, {@code concurrent} of them live at a time, each reporting
     * {@code minEpochs..maxEpochs} epochs; events interleaved at random among the live runs, each run's
     * own events in order. Stops after {@code limit} events (a run cut short has no finish).
     */
    public void fleet(int runs, int concurrent, int minEpochs, int maxEpochs, long limit, Consumer<Event> out) {
        List<Run> live = new ArrayList<>();
        int next = 0;
        long emitted = 0;
        while (emitted < limit && (next < runs || !live.isEmpty())) {
            while (live.size() < concurrent && next < runs) {
                live.add(newRun(next++, minEpochs + random.nextInt(maxEpochs - minEpochs + 1)));
            }
            int i = random.nextInt(live.size());
            Run run = live.get(i);
            out.accept(run.next());
            emitted++;
            if (run.done()) {
                live.set(i, live.get(live.size() - 1));
                live.remove(live.size() - 1);
            }
        }
    }

    /** All events of one run, in order. */
    public List<Event> run(int n, int epochs) {
        Run run = newRun(n, epochs);
        List<Event> events = new ArrayList<>();
        while (!run.done()) {
            events.add(run.next());
        }
        return events;
    }

    /** A live run whose events are handed out one at a time (for scale tests that touch runs at random). */
    public Run newRun(int n, int epochs) {
        return new Run(runId(n), epochs, random.split());
    }

    public String runId(int n) {
        return String.format(Locale.ROOT, "%s-%07d", prefix, n);
    }

    /** The curve shapes, roughly in the proportions a fleet of real runs shows. */
    enum Shape { LEARNING, OVERFITTING, PLATEAU, OSCILLATING, DIVERGING, UNDERFITTING }

    /** One run's events, generated on demand. */
    public final class Run {
        private final String runId;
        private final int epochs;
        private final SplittableRandom r;
        private final Shape shape;
        private final double initial;
        private final double floor;
        private final double rate;
        private final double noise;
        private final double gap;
        private final int turn;
        private final double lr;
        private int epoch = -1; // -1: run_started next
        private boolean finished;

        Run(String runId, int epochs, SplittableRandom r) {
            this.runId = runId;
            this.epochs = epochs;
            this.r = r;
            double s = r.nextDouble();
            shape = s < 0.45 ? Shape.LEARNING : s < 0.65 ? Shape.OVERFITTING : s < 0.78 ? Shape.PLATEAU
                    : s < 0.88 ? Shape.OSCILLATING : s < 0.94 ? Shape.UNDERFITTING : Shape.DIVERGING;
            initial = 1.0 + 3.0 * r.nextDouble();
            floor = 0.02 + 0.3 * r.nextDouble();
            rate = shape == Shape.UNDERFITTING ? 0.002 + 0.004 * r.nextDouble() : 0.03 + 0.15 * r.nextDouble();
            noise = shape == Shape.OSCILLATING ? 0.15 + 0.15 * r.nextDouble() : 0.005 + 0.03 * r.nextDouble();
            gap = 0.02 + 0.15 * r.nextDouble();
            turn = 5 + r.nextInt(Math.max(1, epochs / 2));
            lr = new double[] {0.1, 0.01, 0.001, 0.0003, 0.0001}[r.nextInt(5)];
        }

        public String runId() {
            return runId;
        }

        public boolean done() {
            return finished;
        }

        /** The run's next event: its start, then one metrics event per epoch, then its finish. */
        public Event next() {
            if (finished) {
                throw new IllegalStateException(runId + " has finished");
            }
            if (epoch < 0) {
                epoch = 0;
                return event(String.format(Locale.ROOT,
                        "{\"type\":\"run_started\",\"run_id\":\"%s\",\"timestamp\":\"%s\",\"config\":{\"optimizer\":\"%s\","
                                + "\"lr\":%s,\"batch_size\":%d,\"task\":\"classification\",\"loss\":\"cross_entropy\","
                                + "\"output_activation\":\"softmax\",\"hidden_activation\":\"relu\",\"max_epochs\":%d,"
                                + "\"model\":\"%s\",\"dataset\":\"%s\"}}",
                        runId, Instant.ofEpochMilli(time()), OPTIMIZERS[r.nextInt(OPTIMIZERS.length)], lr,
                        16 << r.nextInt(5), epochs, MODELS[r.nextInt(MODELS.length)], DATASETS[r.nextInt(DATASETS.length)]));
            }
            if (epoch >= epochs) {
                finished = true;
                return event(String.format(Locale.ROOT,
                        "{\"type\":\"run_finished\",\"run_id\":\"%s\",\"epoch\":%d,\"status\":\"completed\",\"timestamp\":\"%s\"}",
                        runId, epochs, Instant.ofEpochMilli(time())));
            }
            epoch++;
            double train = trainLoss(epoch);
            double val = valLoss(epoch, train);
            return event(String.format(Locale.ROOT,
                    "{\"type\":\"metrics\",\"run_id\":\"%s\",\"epoch\":%d,\"step\":%d,\"timestamp\":\"%s\",\"metrics\":"
                            + "{\"train_loss\":%s,\"val_loss\":%s,\"train_accuracy\":%.4f,\"val_accuracy\":%.4f,\"lr\":%s}}",
                    runId, epoch, epoch * 400L, Instant.ofEpochMilli(time()), number(train), number(val),
                    accuracy(train), accuracy(val), lr));
        }

        /** A handful of points of a metrics event only: what the scale test adds to runs already live. */
        public Event nextMetricsOnly() {
            if (epoch < 0) {
                epoch = 0;
            }
            epoch++;
            double train = trainLoss(epoch);
            double val = valLoss(epoch, train);
            return event(String.format(Locale.ROOT,
                    "{\"type\":\"metrics\",\"run_id\":\"%s\",\"epoch\":%d,\"timestamp\":\"%s\",\"metrics\":"
                            + "{\"train_loss\":%s,\"val_loss\":%s}}",
                    runId, epoch, Instant.ofEpochMilli(time()), number(train), number(val)));
        }

        private long time() {
            return startMillis + Math.max(0, epoch) * 1000L;
        }

        private Event event(String json) {
            return new Event(runId, json.getBytes(StandardCharsets.UTF_8), time());
        }

        private double trainLoss(int e) {
            double base = floor + (initial - floor) * Math.exp(-rate * e);
            double value = switch (shape) {
                case PLATEAU -> e < turn ? base : floor + (initial - floor) * Math.exp(-rate * turn);
                case DIVERGING -> e < turn ? base : base * Math.exp(0.08 * (e - turn));
                default -> base;
            };
            return value * (1 + noise * gaussian());
        }

        private double valLoss(int e, double train) {
            double value = train + gap * (1 + 0.5 * gaussian() * noise);
            if (shape == Shape.OVERFITTING && e > turn) {
                value += 0.01 * (e - turn) * (1 + initial * 0.1);
            }
            return value * (1 + 0.5 * noise * gaussian());
        }

        private double gaussian() {
            // Box–Muller, from the run's own random source
            double u = Math.max(1e-12, r.nextDouble());
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
        }
    }

    private static double accuracy(double loss) {
        return Double.isFinite(loss) ? Math.max(0, Math.min(1, 1 - loss / 3)) : 0;
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
