package dev.lossdoctor.core;

import static dev.lossdoctor.core.RunBuilder.aRun;
import static dev.lossdoctor.core.RunBuilder.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import dev.lossdoctor.io.Json;
import org.junit.jupiter.api.Test;

/** Loss spikes (DESIGN.md section 1; issue 13 item 5): one that recovers is evidence, one that stays is diverging. */
class SpikeReadingTest {

    private final RunAnalyzer analyzer = new RunAnalyzer();

    private static RunBuilder descent(String id) {
        return aRun(id).withConfig(config().lr(0.01)).epochs(45).trainCurve(e -> 0.2 + Math.exp(-e / 6))
                .valCurve(e -> 0.25 + Math.exp(-e / 6)).noise(0.005, 3);
    }

    @Test
    void shouldKeepARecoveringSpikeAsEvidenceNotCallItDiverging() {
        Analysis recovering = descent("spike").at(30, "train_loss", 2.0).at(30, "val_loss", 2.1)
                .at(31, "train_loss", 0.9).at(31, "val_loss", 1.0).at(32, "train_loss", 0.4).at(32, "val_loss", 0.45)
                .analyze(); // a jump, back within three points

        assertThat(recovering.codes()).doesNotContain(Diagnosis.DIVERGING);
        RunStatus status = analyzer.status(recovering.state());
        assertThat(status.spikes()).isNotNull();
        assertThat(status.spikes().count()).isEqualTo(1);
        assertThat(status.spikes().epochs()).containsExactly(30L);
        assertThat(Json.status(status)).contains("\"spikes\":{\"count\":1,\"epochs\":[30]}");
    }

    @Test
    void shouldCallAJumpThatStaysUpDivergingWithTheCheckpointBeforeItToRollBackTo() {
        Analysis stays = descent("jump").trainCurve(e -> e < 30 ? 0.2 + Math.exp(-e / 6) : 2.0)
                .valCurve(e -> e < 30 ? 0.25 + Math.exp(-e / 6) : 2.1).analyze();

        DiagnosisEvent diverging = stays.first(Diagnosis.DIVERGING);
        assertThat(diverging).isNotNull();
        assertThat(diverging.epoch()).isBetween(30L, 33L); // held at most the spike's three points
        assertThat(diverging.recommendations()).contains("Roll back to the epoch-29 checkpoint (the last before the jump)")
                .anyMatch(r -> r.startsWith("Clip gradients")).anyMatch(r -> r.startsWith("Skip the bad batches"))
                .anyMatch(r -> r.contains("0.001 instead of 0.01"));
        assertThat(analyzer.status(stays.state()).spikes()).isNull();
    }

    @Test
    void shouldNotHoldAJumpThatCameWithARateRaisedDiverging() {
        // the same jump, with the rate raised x50 at it: the rate's doing, diverging at once
        Analysis raised = descent("raised").trainCurve(e -> e < 30 ? 0.2 + Math.exp(-e / 6) : 2.0)
                .valCurve(e -> e < 30 ? 0.25 + Math.exp(-e / 6) : 2.1).curve("lr", e -> e < 30 ? 0.01 : 0.5).analyze();

        Analysis held = descent("held").trainCurve(e -> e < 30 ? 0.2 + Math.exp(-e / 6) : 2.0)
                .valCurve(e -> e < 30 ? 0.25 + Math.exp(-e / 6) : 2.1).curve("lr", e -> 0.01).analyze();

        assertThat(raised.first(Diagnosis.DIVERGING).epoch()).isBetween(30L, 31L) // (the median of the last three)
                .isLessThan(held.first(Diagnosis.DIVERGING).epoch());
    }

    @Test
    void shouldReadAJumpAtTheLastPointOfAFinishedRunAsItIs() {
        Analysis finished = descent("end").epochs(32).at(31, "train_loss", 2.0).at(31, "val_loss", 2.1)
                .at(32, "train_loss", 2.1).at(32, "val_loss", 2.2).finished().analyze();

        assertThat(finished.last().diagnosis()).isEqualTo(Diagnosis.DIVERGING); // no time left to recover
    }
}
