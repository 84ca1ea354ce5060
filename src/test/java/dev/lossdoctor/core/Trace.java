package dev.lossdoctor.core;

import dev.lossdoctor.io.EventFiles;
import java.nio.file.Path;

/** A developer's tool, not a test: prints what the reader sees at every point of a run file. */
public final class Trace {
    public static void main(String[] args) throws Exception {
        RunAnalyzer analyzer = new RunAnalyzer();
        CurveReader reader = new CurveReader();
        java.util.Map<String, RunState> runs = new java.util.HashMap<>();
        new EventFiles().read(Path.of(args[0]), e -> {
            RunState s = runs.computeIfAbsent(e.runId(), RunState::new);
            var out = analyzer.apply(s, e);
            if (e instanceof MetricsReported && s.size > 0) {
                CurveReader.Assessment a = reader.assess(s, s.size - 1);
                System.out.printf("%4d %-12s T=%.4g %s r=%.4f t=%.1f sc=%.3g | V=%.4g %s r=%.4f rise=%.3f tdrop=%.3f | osc=%.2f/%.2f frz=%d/%.3f hold=%s%n",
                        a.epoch, a.diagnosis.code(), a.trainNow, a.trainTrend.code(), a.trainRate, a.train == null ? 0 : a.train.t,
                        a.train == null ? 0 : a.train.scatter() / a.trainScale,
                        a.valNow, a.valTrend.code(), a.valRate, a.valRiseFromBest, a.trainDropSinceValBest,
                        a.oscillationAmplitude, a.oscillationReversals, a.frozenSince, a.abruptStep, a.orElse);
            }
            out.forEach(d -> System.out.println("  >> " + d.diagnosis().code() + " since " + d.sinceEpoch() + ": " + d.summary()));
        }, p -> System.out.println("!! " + p));
    }
}
