package dev.lossdoctor.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a log's metrics is the training loss and which the validation loss, by name (the rules
 * are in README's {@code analyze} section), unless the user named them ({@code --train-metric},
 * {@code --val-metric}).
 *
 * <p>A name is cut into words (at {@code / _ . -}, spaces and camelCase). It is a loss when a word is
 * {@code loss} or {@code ls}. A word {@code val}, {@code valid}, {@code validation}, {@code eval},
 * {@code evaluation} or {@code dev} makes it a validation loss; {@code test} or {@code testing} puts it
 * out of both; any other loss is a training loss ({@code train}, {@code training} and {@code tr} say so
 * explicitly, and a bare {@code loss} is Keras' training loss). Among the losses of one side the total
 * wins over its parts: fewest other words first (so {@code train_loss} beats {@code loss_mse}); then
 * the per-epoch aggregate ({@code epoch}: Lightning's {@code train_loss_epoch}, Keras'
 * {@code epoch_loss}) before a plain name, before a per-step one ({@code step}, {@code batch},
 * {@code iter...}); then the alphabetically first. A log that has only parts and no total (YOLOv5's
 * {@code box_loss}, {@code obj_loss}, {@code cls_loss}) thus gives its alphabetically first part, and
 * the validation side takes the part with the same words as the training side when it has one.
 */
public record LossNames(String trainOverride, String valOverride) {

    public static final LossNames BY_NAME = new LossNames(null, null);

    private static final Set<String> LOSS = Set.of("loss", "ls");
    private static final Set<String> VAL = Set.of("val", "valid", "validation", "eval", "evaluation", "dev");
    private static final Set<String> TEST = Set.of("test", "testing");
    private static final Set<String> TRAIN = Set.of("train", "training", "tr");
    private static final Set<String> EPOCH = Set.of("epoch");
    private static final Set<String> STEP = Set.of("step", "batch", "iter", "iters", "iteration", "iterations");

    /** The names chosen: either may be null (a log with no validation loss, or no training loss). */
    public record Choice(String train, String val) {

        public boolean none() {
            return train == null && val == null;
        }
    }

    /** The training and validation losses among {@code names}. */
    public Choice choose(Collection<String> names) {
        String train = named(trainOverride, names);
        String val = named(valOverride, names);
        List<Candidate> trains = new ArrayList<>(), vals = new ArrayList<>();
        for (String n : names) {
            Candidate c = Candidate.of(n);
            if (c != null && !n.equals(train) && !n.equals(val)) {
                (c.validation ? vals : trains).add(c);
            }
        }
        Candidate bestTrain = null;
        if (train == null && !trains.isEmpty()) {
            bestTrain = trains.stream().min(Candidate.ORDER).orElseThrow();
            train = bestTrain.name;
        }
        if (val == null && !vals.isEmpty()) {
            Set<String> wanted = bestTrain != null ? bestTrain.qualifiers : train != null ? qualifiersOf(train) : null;
            val = vals.stream().filter(c -> c.qualifiers.equals(wanted)).min(Candidate.ORDER)
                    .or(() -> vals.stream().min(Candidate.ORDER)).orElseThrow().name;
        }
        return new Choice(train, val);
    }

    /** The name the user gave, as the log spells it (case aside), or null when absent from this log. */
    private static String named(String wanted, Collection<String> names) {
        if (wanted == null) {
            return null;
        }
        if (names.contains(wanted)) {
            return wanted;
        }
        return names.stream().filter(n -> n.equalsIgnoreCase(wanted)).findFirst().orElse(null);
    }

    private static Set<String> qualifiersOf(String name) {
        Candidate c = Candidate.of(name);
        return c == null ? null : c.qualifiers;
    }

    /** True when the rules could take {@code name} for a training or validation loss. */
    static boolean mayBeLoss(String name) {
        return Candidate.of(name) != null;
    }

    /** True when the user named {@code name} (case aside) with --train-metric or --val-metric. */
    boolean named(String name) {
        return trainOverride != null && name.equalsIgnoreCase(trainOverride) || valOverride != null && name.equalsIgnoreCase(valOverride);
    }

    /** True for a word that marks a validation metric ({@code val}, {@code valid}...). */
    static boolean validationWord(String word) {
        return VAL.contains(word);
    }

    /** The words of a metric name, lower case. */
    static List<String> words(String name) {
        String spaced = name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        List<String> words = new ArrayList<>();
        for (String w : spaced.split("[^a-z0-9]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    private record Candidate(String name, boolean validation, Set<String> qualifiers, int aggregate) {

        static final Comparator<Candidate> ORDER = Comparator.<Candidate>comparingInt(c -> c.qualifiers.size())
                .thenComparingInt(Candidate::aggregate).thenComparing(Candidate::name);

        /** The loss a name stands for, or null when it is no loss, or a test loss. */
        static Candidate of(String name) {
            List<String> words = words(name);
            if (words.stream().noneMatch(LOSS::contains) || words.stream().anyMatch(TEST::contains)) {
                return null;
            }
            boolean validation = words.stream().anyMatch(VAL::contains);
            Set<String> qualifiers = new TreeSet<>();
            int aggregate = 1;
            for (String w : words) {
                if (EPOCH.contains(w)) {
                    aggregate = 0;
                } else if (STEP.contains(w)) {
                    aggregate = 2;
                } else if (!LOSS.contains(w) && !VAL.contains(w) && !TRAIN.contains(w)) {
                    qualifiers.add(w);
                }
            }
            return new Candidate(name, validation, qualifiers, aggregate);
        }
    }
}
