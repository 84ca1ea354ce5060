package dev.lossdoctor.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The words and evidence of {@code lagging}: what {@link Words} is for the other diagnoses. */
final class SweepWords {

    private SweepWords() {
    }

    /** The lagging reading of a run at {@code epoch} (or step) with this {@code max_epochs} (null: unknown). */
    static Reading lagging(Siblings s, long now, Integer maxEpochs) {
        String unit = s.byStep() ? "step" : "epoch";
        String metric = s.byScore() ? "validation score" : "validation loss";
        String numbers = "(median " + Text.num(s.median()) + ", this run " + own(s) + ")";
        String better = s.better() + " of " + s.counted() + " siblings";
        String summary = "Lagging its sweep " + s.sweepId() + ": " + better + " had a better " + metric + " by " + unit + " "
                + s.at() + " " + numbers + ", and it is not gaining on them fast enough to catch up.";
        String saves;
        if (!s.byStep() && maxEpochs != null && maxEpochs > now) {
            long left = maxEpochs - now;
            saves = "stopping now saves ~" + left + (left == 1 ? " epoch" : " epochs");
        } else {
            saves = "stopping now frees its compute for better configurations";
        }
        String advice = "stop: " + better + " were better at " + unit + " " + s.at() + " " + numbers + "; " + saves;
        double share = s.counted() == 0 ? 0 : (double) s.better() / s.counted();
        double confidence = Math.round(Math.min(0.95, 0.5 + share / 2) * 100) / 100.0;
        return new Reading(Diagnosis.LAGGING, now, confidence, evidence(s), summary, List.of(advice));
    }

    /** The numbers that decided it, as the evidence of the diagnosis event. */
    static Map<String, Object> evidence(Siblings s) {
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("sweep_id", s.sweepId());
        ev.put(s.byStep() ? "at_step" : "at_epoch", s.at());
        ev.put("rank", s.rank());
        ev.put("of", s.of());
        ev.put("siblings", s.counted());
        ev.put("better", s.better());
        String metric = s.byScore() ? "val_score" : "val_loss";
        ev.put("median_best_" + metric, Text.round(s.median()));
        if (s.threshold() != s.median()) {
            ev.put("threshold_best_" + metric, Text.round(s.threshold()));
        }
        ev.put("best_" + metric, Double.isFinite(s.own()) ? Text.round(s.own()) : null);
        return ev;
    }

    private static String own(Siblings s) {
        return Double.isFinite(s.own()) ? Text.num(s.own()) : "no finite value";
    }
}
