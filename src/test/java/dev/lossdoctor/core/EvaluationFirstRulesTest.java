package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run whose first point is an evaluation alone (Lightning's sanity check, a Hugging Face evaluation
 * before any training step) had no first training loss: the landmark was NaN, each rise relative to
 * the descent infinite, and a training loss one lucky batch below the next read as diverging. The
 * first losses now come from the earliest point with both ({@link Landmarks#withFirstLosses}).
 */
class EvaluationFirstRulesTest {

    // lightning-007 as logged (metrics.csv: validation at epoch 0 alone, then one batch's training loss per epoch)
    static final double[] TRAIN = {0.052594, 0.052594, 0.0024339, 0.010024, 0.010024, 0.023814, 0.01059, 0.01059, 0.025165,
        0.021561, 0.021561, 0.030631, 0.010318, 0.010318, 0.013017, 0.0056836, 0.0056836, 0.012839, 0.0073735, 0.0073735,
        0.0044236, 0.0020223, 0.0020223, 0.0034348, 0.00018068, 0.00018068, 0.0011104, 5.7197e-05, 5.7197e-05};
    static final double[] VAL = {0.07469, 0.042352, 0.084533, 0.05325, 0.045383, 0.028459, 0.019904, 0.016363, 0.013481,
        0.010648, 0.0085244, 0.0069065, 0.0054943, 0.0042828, 0.0032977, 0.0024946, 0.001836, 0.001311, 0.00091002, 0.00061911,
        0.00042426, 0.00030927, 0.00025419, 0.00023789, 0.00024185, 0.00025287, 0.00026327, 0.00026959, 0.00027087, 0.00026757};

    /** Epoch 0 with validation alone, then both from epoch 1 ({@code train[i]} at epoch i + 1). */
    static Analysis evaluationFirst(String id, double[] train, double[] val) {
        List<TrainingEvent> events = new ArrayList<>();
        events.add(new RunStarted(id, RunBuilder.START, RunConfig.EMPTY));
        for (int e = 0; e < val.length; e++) {
            Map<String, Double> m = new LinkedHashMap<>();
            if (e > 0) {
                m.put("train_loss", train[e - 1]);
            }
            m.put("val_loss", val[e]);
            events.add(new MetricsReported(id, (long) e, null, RunBuilder.START.plus(RunBuilder.INTERVAL.multipliedBy(e + 1)), m));
        }
        events.add(new RunFinished(id, null, null, RunBuilder.START.plus(RunBuilder.INTERVAL.multipliedBy(val.length + 1))));
        return RunBuilder.analyze(events);
    }

    @Test
    void shouldNotCallALuckyBatchBelowTheNextDivergingWhenTheFirstPointIsAnEvaluationAlone() {
        Analysis run = evaluationFirst("lightning-007", TRAIN, VAL);

        // the old reading: diverging at epoch 5 ("climbed from its best 0.00243 to 0.01", a rise of 7.6e27)
        assertThat(run.codes()).doesNotContain(Diagnosis.DIVERGING);
    }

    @Test
    void shouldStillCallATrainingLossClimbingFarAboveItsDescentDivergingWhenTheFirstPointIsAnEvaluationAlone() {
        double[] train = TRAIN.clone(), val = VAL.clone();
        for (int i = 12; i < train.length; i++) { // from epoch 13, both losses climb back far above where they began
            train[i] = 0.01 * Math.pow(1.5, i - 11);
            val[i + 1] = 0.005 * Math.pow(1.5, i - 11);
        }
        Analysis run = evaluationFirst("climbing", train, val);

        assertThat(run.first(Diagnosis.DIVERGING).epoch()).isBetween(14L, 22L);
    }
}
