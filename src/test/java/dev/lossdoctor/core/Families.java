package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.Curves.uShape;

import java.util.Random;

/**
 * Textbook curve families with random shape parameters, for tests that run many curves: a healthy
 * descent, an overfitting U, a plateau, a divergence, an oscillation, a descent frozen by a
 * learning-rate cut.
 */
enum Families {
    DECAY, OVERFIT, PLATEAU, DIVERGE, OSCILLATE, LR_CUT;

    /** A run of this family; {@code seed} picks the shape parameters and the noise. */
    RunBuilder run(String runId, long seed, int epochs, double noise) {
        Random r = new Random(seed * 31 + ordinal());
        double start = 1 + 2 * r.nextDouble();
        double floor = start * (0.05 + 0.2 * r.nextDouble());
        double tau = 3 + 12 * r.nextDouble();
        double gap = 1.05 + 0.3 * r.nextDouble();
        RunBuilder b = RunBuilder.aRun(runId).epochs(epochs).noise(noise, seed);
        switch (this) {
            case DECAY -> b.trainCurve(e -> decay(e, start, floor, tau)).valCurve(e -> gap * decay(e, start, floor, tau));
            case OVERFIT -> {
                double bestEpoch = Math.max(6, epochs * (0.3 + 0.3 * r.nextDouble()));
                double best = start * (0.3 + 0.2 * r.nextDouble());
                double climb = best * (0.01 + 0.03 * r.nextDouble());
                b.trainCurve(e -> decay(e, start, floor * 0.2, tau)).valCurve(e -> uShape(e, start * gap, best, bestEpoch, climb));
            }
            case PLATEAU -> {
                double level = 1.2 + 2 * r.nextDouble();
                b.trainCurve(e -> level).valCurve(e -> level * gap);
            }
            case DIVERGE -> {
                double turn = Math.max(5, epochs * (0.2 + 0.4 * r.nextDouble()));
                double growth = 2 + 4 * r.nextDouble();
                b.trainCurve(e -> e <= turn ? decay(e, start, floor, tau) : decay(turn, start, floor, tau) * Math.exp((e - turn) / growth))
                        .valCurve(e -> gap * (e <= turn ? decay(e, start, floor, tau) : decay(turn, start, floor, tau) * Math.exp((e - turn) / growth)));
            }
            case OSCILLATE -> {
                double amp = 0.12 + 0.15 * r.nextDouble();
                b.trainCurve(e -> start * (1 + amp * (((long) e) % 2 == 0 ? 1 : -1)))
                        .valCurve(e -> gap * start * (1 - amp * (((long) e) % 2 == 0 ? 1 : -1)));
            }
            case LR_CUT -> {
                double cut = Math.max(6, epochs * (0.3 + 0.4 * r.nextDouble()));
                b.trainCurve(e -> decay(Math.min(e, Math.floor(cut)), start, floor, tau))
                        .valCurve(e -> gap * decay(Math.min(e, Math.floor(cut)), start, floor, tau));
            }
            default -> throw new AssertionError(this);
        }
        return b;
    }
}
