package dev.lossdoctor.core;

import dev.lossdoctor.core.Finding.Why;
import dev.lossdoctor.core.Measures.Series;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a person is told: the evidence, the one plain sentence with the run's own numbers in it, and
 * the recommendations, made from a {@link Finding}, the {@link Measures} it rests on and the run's
 * config. Every sentence the analysis says about a curve is in this class.
 */
final class Words {

    private Words() {
    }

    /** {@code forecast}, when there is one, adds where the validation loss is heading to the words. */
    static Reading of(Measures m, Finding f, RunConfig c, Forecast forecast) {
        if (f.diagnosis() == Diagnosis.WARMING_UP) {
            return Reading.warmingUp(m.points());
        }
        Landmarks all = m.all();
        Series train = m.train(), val = m.val();
        String unit = m.perStep() ? "step" : "epoch";
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("points", m.points());
        if (train.present()) {
            ev.put("train_loss", Text.round(train.now()));
            ev.put("train_loss_trend", train.trend().code());
            ev.put("train_change_per_epoch", Text.round(train.rate()));
        }
        if (val.present()) {
            ev.put("val_loss", Text.round(val.now()));
            ev.put("val_loss_trend", val.trend().code());
            ev.put("val_change_per_epoch", Text.round(val.rate()));
        }
        if (all.hasBestVal()) {
            ev.put("val_best_epoch", all.bestValKey());
            ev.put("val_best_loss", Text.round(all.bestVal()));
        }
        List<String> recs = new ArrayList<>();
        String summary;
        long bestValEpoch = all.bestValKey();
        switch (f.diagnosis()) {
            case DIVERGING -> {
                if (all.nonFinite()) {
                    long at = all.nonFiniteKey();
                    ev.put("non_finite_at", at);
                    summary = "The loss became non-finite (NaN or Infinity) at " + unit + " " + at
                            + ": the run has diverged and will not recover.";
                } else {
                    ev.put("train_best_loss", Text.round(all.bestTrain()));
                    ev.put("train_best_epoch", all.bestTrainKey());
                    ev.put("train_rise", Text.round(train.rise()));
                    summary = "Training loss has climbed from its best " + Text.num(all.bestTrain()) + " at " + unit + " "
                            + all.bestTrainKey() + " to " + Text.num(train.now())
                            + (Double.isNaN(val.now()) ? "" : ", validation loss to " + Text.num(val.now()))
                            + (train.rise() < Rules.DIVERGING_RISE ? ", climbing steadily: the run is drifting away from its best."
                            : ": the run is diverging.");
                }
                if (f.why() == Why.SPIKE_STAYED) {
                    Spike spike = m.spike();
                    ev.put("spike_epoch", spike.key());
                    ev.put("rollback_epoch", spike.beforeKey());
                    summary = "Training loss jumped at " + unit + " " + spike.key() + " to " + Text.num(train.now())
                            + " (best " + Text.num(all.bestTrain()) + ") and has not come back within " + Spike.POINTS
                            + " points: the run has diverged from a spike.";
                    Double spikeLr = m.schedule().adviceLr(c, false);
                    recs.add("Roll back to the " + unit + "-" + spike.beforeKey() + " checkpoint (the last before the jump)");
                    recs.add(spikeLr != null ? "Resume with a lower learning rate: " + Text.num(spikeLr / 10) + " instead of "
                            + Text.num(spikeLr) : "Resume with a learning rate 10x lower");
                    recs.add("Clip gradients (e.g. a max norm of 1.0)");
                    recs.add("Skip the bad batches: check the data the run saw at " + unit + " " + spike.key());
                    return new Reading(f.diagnosis(), f.since(), f.confidence(), ev, summary, recs);
                }
                recs.add(all.nonFinite() || train.rise() >= Rules.DIVERGING_RISE ? "Stop the run: it is not going to recover"
                        : "Stop the run if it keeps climbing, and restore the " + unit + "-" + all.bestTrainKey() + " checkpoint");
                Double lr = m.schedule().adviceLr(c, true);
                if (f.why() == Why.RATE_RAISED) {
                    ev.put("lr", Text.round(m.schedule().lastLr()));
                    ev.put("lr_at_best", Text.round(m.schedule().bestLr()));
                    summary += " The learning rate is " + Text.num(m.schedule().lastLr()) + ", up from "
                            + Text.num(m.schedule().bestLr()) + " at the best.";
                }
                recs.add(lr != null ? "Restart with a lower learning rate: " + Text.num(lr / 10) + " instead of "
                        + Text.num(lr) : "Restart with a learning rate 10x lower");
                recs.add("Add gradient clipping, and check the learning-rate schedule and warm-up");
                recs.add("Check the data and the loss for bad values (NaN or Inf inputs, log of 0)");
            }
            case OSCILLATING -> {
                ev.put("relative_jump", Text.round(f.jump()));
                ev.put("reversal_rate", Text.round(f.reversals()));
                summary = "The loss jumps up and down by about " + Text.pct(f.jump())
                        + " of its level from one point to the next, reversing direction "
                        + Text.pct(f.reversals()) + " of the time, with no clear trend.";
                Integer bs = c.batchSize();
                recs.add(bs != null ? "Increase the batch size (now " + bs + ", try " + Math.max(32, bs * 4)
                        + "): a larger batch gives each step a steadier direction" : "Increase the batch size: a larger batch gives each step a steadier direction");
                Double oscLr = m.schedule().adviceLr(c, false);
                recs.add(oscLr != null ? "Or lower the learning rate: " + Text.num(oscLr / 3) + " instead of " + Text.num(oscLr)
                        : "Or lower the learning rate");
                if (isAdaptive(c.optimizer())) {
                    recs.add(optimizerName(c.optimizer()) + "'s adaptive step can keep oscillating late in training: "
                            + "finish with SGD with momentum, or decay the learning rate");
                }
            }
            case OVERFITTING -> {
                ev.put("val_rise_since_best", Text.round(m.valRiseFromBest()));
                ev.put("train_drop_since_val_best", Text.round(m.trainDropSinceValBest()));
                if (f.why() == Why.VAL_DEGRADING) {
                    summary = "Validation loss has risen " + Text.pct(m.valRiseFromBest()) + " since its best at " + unit + " "
                            + bestValEpoch + " (" + Text.num(all.bestVal()) + ") while training loss stalled at "
                            + Text.num(train.now()) + ": validation is degrading with nothing learned to explain it.";
                    recs.add("Stop training and restore the " + unit + "-" + bestValEpoch + " checkpoint");
                    recs.add("Check the validation pipeline: its data, its preprocessing, and that it runs in evaluation mode");
                    return new Reading(f.diagnosis(), f.since(), f.confidence(), ev, summary, recs);
                }
                if (f.why() == Why.MEMORIZING) {
                    ev.put("gap", Text.round(f.gap()));
                    summary = "Validation loss has not improved since its best at " + unit + " " + bestValEpoch + " ("
                            + Text.num(all.bestVal()) + ") while training loss fell " + Text.pct(m.trainDropSinceValBest())
                            + " to " + Text.num(train.now()) + ", a fraction of the validation loss: the model is memorizing the training set.";
                } else {
                    summary = "Validation loss has risen " + Text.pct(m.valRiseFromBest()) + " since its best at " + unit + " "
                            + bestValEpoch + " (" + Text.num(all.bestVal()) + ") while training loss fell "
                            + Text.pct(m.trainDropSinceValBest()) + ".";
                }
                recs.add("Stop training and restore the " + unit + "-" + bestValEpoch + " checkpoint");
                recs.add("Add data augmentation");
                recs.add("Add regularization: weight decay or dropout");
                recs.add("Get more training data, or use a smaller model");
            }
            case DATA_ISSUE -> {
                ev.put("val_drop_total", Text.round(val.dropTotal()));
                ev.put("train_drop_total", Text.round(train.dropTotal()));
                summary = "Validation loss has fallen " + Text.pct(val.dropTotal()) + " since " + unit + " "
                        + all.firstKey() + " while training loss barely moved ("
                        + (train.dropTotal() >= 0 ? "down " : "up ") + Text.pct(train.dropTotal())
                        + "): the model cannot fit its own training data, which points at the data.";
                recs.add("Check the training labels (wrong or shuffled labels)");
                recs.add("Check the train/validation split for leakage or duplicates");
                recs.add("Check augmentation and preprocessing applied to one side only");
            }
            case PLATEAU -> {
                ev.put("flat_since", f.since());
                String why;
                if (f.why() == Why.STOPPED_DEAD) {
                    ev.put("step_into_flat", Text.round(m.frozen().step()));
                    why = "it stopped dead at " + unit + " " + m.frozen().since() + " right after falling "
                            + Text.pct(m.frozen().step()) + " in one " + unit + ", so the weights have stopped moving";
                    recs.add("Check the learning-rate schedule: a learning rate cut to almost nothing stops learning; "
                            + "restore a usable rate" + (c.lr() != null ? " (the run started at " + Text.num(c.lr()) + ")" : ""));
                } else if (f.why() != Why.STILL_FROZEN && Rules.atChanceLevel(m)) {
                    int classes = m.chanceClasses();
                    ev.put("chance_loss", Text.round(Math.log(classes)));
                    why = "it sits at chance level (ln " + classes + " = " + Text.num(Math.log(classes))
                            + "): the model predicts no better than a guess";
                    recs.add("Check the architecture: deep sigmoid stacks vanish (use relu), and the initialization");
                } else if (f.why() == Why.STUCK_ABOVE_BEST) {
                    ev.put("train_best_loss", Text.round(all.bestTrain()));
                    why = "it is stuck " + Text.pct(f.aboveBest()) + " above its best (" + Text.num(all.bestTrain()) + " at "
                            + unit + " " + all.bestTrainKey() + ")";
                } else {
                    why = "it has made no real progress (still " + Text.pct(1 - train.dropTotal()) + " of its first value)";
                }
                summary = "Training loss has been flat at " + Text.num(train.now()) + " since " + unit + " " + f.since()
                        + (Math.abs(train.fit().t()) >= Measures.SIGNIFICANT_T ? " (" + (train.rate() <= 0 ? "-" : "+")
                        + Text.pct(train.rate()) + " per " + unit + ")" : " (no trend beyond its noise)") + " and " + why + ".";
                Double plateauLr = m.schedule().adviceLr(c, false);
                recs.add(plateauLr != null ? "Lower the learning rate x0.1 (" + Text.num(plateauLr / 10) + " instead of "
                        + Text.num(plateauLr) + ") or the batch size" + (c.batchSize() != null ? " (now " + c.batchSize() + ")" : "")
                        : "Lower the learning rate x0.1, or the batch size");
                optimizerAdvice(c, recs, true);
            }
            case CONVERGED -> {
                double gap = val.now() - train.now();
                if (!Double.isNaN(gap)) {
                    ev.put("gap", Text.round(gap));
                }
                if (f.why() == Why.VAL_SATURATED) {
                    summary = "Validation loss has levelled off at " + Text.num(val.now()) + " (best " + Text.num(all.bestVal())
                            + " at " + unit + " " + bestValEpoch + ") while training loss still falls ("
                            + Text.pct(shownFall(train, m)) + " per " + unit + "): more epochs would not help validation.";
                    recs.add("Keep the best-validation checkpoint (" + unit + " " + bestValEpoch + ")");
                    recs.add("To do better on validation: more data, data augmentation, or regularization");
                } else if (f.why() == Why.SCHEDULE_END) {
                    ev.put("lr", Text.round(m.schedule().lastLr()));
                    ev.put("lr_peak", Text.round(m.schedule().maxLr()));
                    summary = "The loss has levelled off at " + Text.num(train.now())
                            + (Double.isNaN(val.now()) ? "" : " (validation " + Text.num(val.now()) + ")")
                            + " as the learning-rate schedule ends (rate " + Text.num(m.schedule().lastLr()) + ", peak "
                            + Text.num(m.schedule().maxLr()) + "), after falling " + Text.pct(train.dropTotal())
                            + ": the schedule's end, not a stuck model.";
                    recs.add(all.hasBestVal() ? "Stop training; keep the best-validation checkpoint (" + unit + " "
                            + bestValEpoch + ")" : "Stop training");
                    recs.add("To do better: a longer schedule (more epochs at the same peak rate), not more epochs at rate ~0");
                } else {
                    summary = "The loss has levelled off at " + Text.num(train.now())
                            + (Double.isNaN(val.now()) ? "" : " (validation " + Text.num(val.now()) + ")") + " after falling "
                            + Text.pct(train.dropTotal()) + ": a good fit.";
                    recs.add(all.hasBestVal() ? "Stop training; keep the best-validation checkpoint (" + unit + " "
                            + bestValEpoch + ")" : "Stop training");
                    Integer max = c.maxEpochs();
                    // an early stop only: the last few epochs are not worth a sentence
                    if (!m.perStep() && max != null && max - m.epoch() >= Math.max(2, max / 10) && all.hasBestVal()
                            && (forecast == null ? val.present() && val.trend() != Trend.FALLING
                            : !forecast.horizonAssumed() && forecast.remainingGain(all.bestVal()) < 0.01)) {
                        recs.add("The remaining " + (max - m.epoch()) + " epochs (to max_epochs " + max
                                + ") should improve validation loss by under 1%");
                    }
                }
            }
            case UNDERFITTING -> {
                summary = "Training loss is falling only " + Text.pct(shownFall(train, m)) + " per epoch and is still at "
                        + Text.pct(1 - train.dropTotal()) + " of its first value after " + Math.round(m.epochs())
                        + " epochs: the model is not learning much from the data.";
                recs.add("Give the model more capacity (wider or deeper layers)");
                Double slowLr = m.schedule().adviceLr(c, false);
                recs.add(slowLr != null ? "Raise the learning rate: try " + Text.num(slowLr * 10) + " instead of " + Text.num(slowLr)
                        : "Raise the learning rate");
                recs.add("Check the features: can the inputs predict the target?");
            }
            case UNDERTRAINED -> {
                summary = "Training loss was still falling (" + Text.pct(shownFall(train, m)) + " per " + unit
                        + ") when the run finished at " + unit + " " + m.epoch() + ": there was room to learn.";
                Schedule sch = m.schedule();
                if (sch.end() || sch.reported() && sch.lastLr() <= Schedule.END_SHARE * sch.maxLr()) {
                    ev.put("lr", Text.round(sch.lastLr()));
                    ev.put("lr_peak", Text.round(sch.maxLr()));
                    summary += " The learning-rate schedule had decayed to " + Text.num(sch.lastLr()) + " (peak "
                            + Text.num(sch.maxLr()) + ").";
                    recs.add("Train again with a longer schedule (more epochs at the same peak rate, " + Text.num(sch.maxLr())
                            + "): resuming at the end of this one would train at a rate of ~0");
                } else {
                    recs.add(forecast != null && forecast.remainingGain(all.bestVal()) >= 0.01
                            ? "Train longer: resume from the last checkpoint; " + worthIt(forecast, all.bestVal(), m.epoch())
                            : "Train longer: resume from the last checkpoint");
                }
            }
            default -> { // LEARNING
                summary = learningSummary(m, unit) + (forecast == null ? "" : " " + heading(forecast));
                recs.add("Keep training");
                if (train.trend() == Trend.FALLING && val.trend() == Trend.FLAT && !Double.isNaN(val.now())) {
                    recs.add("Validation loss has levelled off while training loss falls: the first sign of overfitting, watch it");
                }
                optimizerAdvice(c, recs, false);
            }
        }
        return new Reading(f.diagnosis(), f.since(), f.confidence(), ev, summary, recs);
    }

    /**
     * "Validation loss is heading for 0.412 (80% band 0.401 to 0.425) by epoch 90; 90% of the
     * remaining gain comes by epoch 41." The band is lopsided (it reaches further down), so both ends.
     */
    static String heading(Forecast f) {
        String unit = f.perStep() ? "step" : "epoch";
        return "Validation loss is heading for " + Text.num(f.bestValLoss()) + " (80% band " + Text.num(f.low()) + " to "
                + Text.num(f.high()) + ") by " + unit + " "
                + f.atEpoch() + (f.horizonAssumed() ? " (twice the " + unit + "s so far: no max_epochs in the config)" : "")
                + "; 90% of the remaining gain comes by " + unit + " " + f.mostGainByEpoch() + ".";
    }

    /** How much longer training is worth it, for a run that finished still improving. */
    private static String worthIt(Forecast f, double best, long now) {
        String unit = f.perStep() ? "step" : "epoch";
        return "by " + unit + " " + f.atEpoch() + " validation loss should reach about " + Text.num(f.bestValLoss()) + " ("
                + Text.pct((best - f.bestValLoss()) / Math.abs(best)) + " below its best "
                + Text.num(best) + "), within 1% of that by " + unit + " " + f.withinOnePctByEpoch()
                + " (" + (f.withinOnePctByEpoch() - now) + " more " + unit + "s)";
    }

    private static String learningSummary(Measures m, String unit) {
        Series train = m.train(), val = m.val();
        Landmarks all = m.all();
        String summary = (train.trend() == Trend.FALLING ? "Training loss is falling " + Text.pct(shownFall(train, m)) + " per " + unit
                : "Training loss is " + train.trend().code() + " at " + Text.num(train.now()))
                + (Double.isNaN(val.now()) ? "" : val.trend() == Trend.FALLING
                ? (train.trend() == Trend.FALLING ? ", validation loss " : "; validation loss is falling ")
                + Text.pct(shownFall(val, m)) + (train.trend() == Trend.FALLING ? "." : " per " + unit + ".")
                : "; validation loss is " + val.trend().code() + " (best " + Text.num(all.bestVal()) + " at " + unit
                + " " + all.bestValKey() + ").");
        return summary.endsWith(".") ? summary : summary + ".";
    }

    /**
     * The fall per epoch a person reads: the geometric mean change over the short stretch for a
     * positive loss (so a loss that halves each epoch falls 50%, never more than 100%), else the
     * fitted rate.
     */
    private static double shownFall(Series s, Measures m) {
        Fit f = s.shortFit();
        if (f.finiteSpan() == 0 || !(f.firstFinite() > 0) || !(f.lastFinite() > 0)) {
            return -s.rate();
        }
        double perPoint = Math.pow(f.lastFinite() / (double) f.firstFinite(), 1.0 / f.finiteSpan());
        return 1 - Math.pow(perPoint, m.pointsPerEpoch());
    }

    private static void optimizerAdvice(RunConfig c, List<String> recs, boolean stuck) {
        String opt = c.optimizer() == null ? "" : c.optimizer().toLowerCase(Locale.ROOT);
        if (stuck && opt.contains("adagrad")) {
            recs.add("AdaGrad's effective learning rate decays toward zero, so a late plateau may be just that: "
                    + "switch to Adam or SGD with a schedule");
        } else if (stuck && opt.startsWith("sgd")) {
            recs.add("SGD keeps a constant learning rate: use a decay schedule (step, cosine)");
        } else if (!stuck && opt.startsWith("adam")) {
            recs.add("Adam converges fast; a tuned SGD with momentum often ends better: consider finishing with it");
        }
    }

    private static boolean isAdaptive(String optimizer) {
        String o = optimizer == null ? "" : optimizer.toLowerCase(Locale.ROOT);
        return o.contains("adam") || o.contains("rmsprop") || o.contains("adagrad") || o.contains("adadelta");
    }

    private static String optimizerName(String optimizer) {
        String o = optimizer.toLowerCase(Locale.ROOT);
        return o.contains("adam") ? "Adam" : o.contains("rmsprop") ? "RMSprop" : o.contains("adagrad") ? "AdaGrad" : optimizer;
    }
}
