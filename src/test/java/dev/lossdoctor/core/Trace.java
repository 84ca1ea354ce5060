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
                Measures m = reader.measure(s, s.size - 1);
                Finding f = Rules.judge(m);
                Measures.Series t = m.train(), v = m.val();
                System.out.printf("%4d %-12s %-18s T=%.4g %s r=%.4f t=%.1f sc=%.3g | V=%.4g %s r=%.4f rise=%.3f tdrop=%.3f | osc=%.2f/%.2f frz=%d/%.3f hold=%s%s%n",
                        m.epoch(), f.diagnosis().code(), f.why(), t.now(), t.trend().code(), t.rate(), t.fit().t(),
                        t.fit().scatter() / t.scale(), v.now(), v.trend().code(), v.rate(), m.valRiseFromBest(),
                        m.trainDropSinceValBest(), f.jump(), f.reversals(), m.frozen().since(), m.frozen().step(), f.orElse(),
                        f.keepsStill() ? " (keeps still)" : "");
            }
            out.forEach(d -> System.out.println("  >> " + d.diagnosis().code() + " since " + d.sinceEpoch() + ": " + d.summary()));
        }, p -> System.out.println("!! " + p));
    }
}
