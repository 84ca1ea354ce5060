package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each format read from the real published files of {@code ../shared/curves/wild/raw} and from small
 * files written here: which values make a point, the config, how the run ends, what is reported.
 */
class LogReadersTest {

    static final Path RAW = WildLogsTest.WILD.resolve("raw");

    @TempDir
    Path dir;

    private final List<TrainingEvent> events = new ArrayList<>();
    private final List<EventFiles.Problem> problems = new ArrayList<>();

    private void read(Path path) throws IOException {
        read(path, LossNames.BY_NAME);
    }

    private void read(Path path, LossNames names) throws IOException {
        for (EventFiles.Source s : EventFiles.sources(List.of(path))) {
            new EventFiles(names).read(s, events::add, problems::add);
        }
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private List<MetricsReported> points() {
        return events.stream().filter(e -> e instanceof MetricsReported).map(e -> (MetricsReported) e).toList();
    }

    private RunStarted started() {
        return events.stream().filter(e -> e instanceof RunStarted).map(e -> (RunStarted) e).findFirst().orElseThrow();
    }

    private RunFinished finished() {
        assertThat(events.get(events.size() - 1)).isInstanceOf(RunFinished.class);
        return (RunFinished) events.get(events.size() - 1);
    }

    // Hugging Face

    @Test
    void shouldReadAHuggingFaceTrainerStateRecognisedByItsLogHistoryWhateverItsName() throws IOException {
        read(RAW.resolve("hf/hf-001.json"));

        assertThat(problems).isEmpty();
        List<MetricsReported> p = points();
        assertThat(p).hasSize(25);
        assertThat(p).allSatisfy(m -> assertThat(m.runId()).isEqualTo("hf-001"));
        // the first evaluation, at step 100 (epoch 0.2), with the training values logged at step 100
        assertThat(p.get(0).step()).isEqualTo(100L);
        assertThat(p.get(0).epoch()).as("epoch 0.2 is read as the epoch it falls in, its step ordering it").isZero();
        assertThat(p).extracting(MetricsReported::epoch).as("five evaluations an epoch, epochs 0.2 to 5.0")
                .containsExactly(0L, 0L, 0L, 0L, 1L, 1L, 1L, 1L, 1L, 2L, 2L, 2L, 2L, 2L, 3L, 3L, 3L, 3L, 3L, 4L, 4L, 4L, 4L, 4L, 5L);
        assertThat(p.get(0).metrics()).containsOnly(entry("val_loss", 3.5269076824188232), entry("train_loss", 3.7424),
                entry("lr", 0.0019801394278472417), entry("grad_norm", 5.532876491546631));
        assertThat(started().config().batchSize()).isEqualTo(1);
        assertThat(started().config().maxEpochs()).isEqualTo(5);
        assertThat(started().config().lr()).as("the highest rate logged").isEqualTo(0.002);
        assertThat(finished().status()).as("global_step reached max_steps").isEqualTo("completed");
    }

    @Test
    void shouldPairEachEvaluationWithTheLatestTrainingLossAtOrBeforeItsStep() throws IOException {
        Path file = write("outputs/checkpoint-30/trainer_state.json", """
                {"best_metric": 0.5, "epoch": 3.0, "global_step": 30, "max_steps": 40, "num_train_epochs": 4,
                 "train_batch_size": 16, "log_history": [
                  {"epoch": 0.5, "learning_rate": 0.0001, "loss": 2.0, "step": 5},
                  {"epoch": 1.0, "learning_rate": 0.00009, "loss": 1.5, "step": 10},
                  {"epoch": 1.0, "eval_loss": 1.6, "eval_accuracy": 0.4, "eval_runtime": 3.2, "step": 10},
                  {"epoch": 1.5, "learning_rate": 0.00008, "loss": 1.2, "step": 15},
                  {"epoch": 2.0, "eval_loss": 1.3, "eval_accuracy": 0.5, "step": 20},
                  {"epoch": 2.5, "learning_rate": 0.00007, "loss": NaN, "step": 25},
                  {"epoch": 3.0, "eval_loss": 1.1, "eval_accuracy": 0.6, "step": 30},
                  {"epoch": 3.0, "eval_loss": 1.1, "eval_accuracy": 0.6, "step": 30},
                  {"epoch": 3.0, "step": 30, "train_loss": 1.4, "train_runtime": 100.0, "total_flos": 1e12}
                ]}
                """);
        write("outputs/checkpoint-30/config.json", """
                {"architectures": ["BertForSequenceClassification"], "model_type": "bert",
                 "id2label": {"0": "neg", "1": "pos", "2": "neutral"}}
                """);
        read(file.getParent().getParent().getParent());

        assertThat(problems).isEmpty();
        List<MetricsReported> p = points();
        assertThat(p).as("the evaluate() after training, at step 30 again, is left out").hasSize(3);
        assertThat(p).allSatisfy(m -> assertThat(m.runId()).as("named after its folders").isEqualTo("outputs/checkpoint-30"));
        assertThat(p).extracting(MetricsReported::epoch).as("whole epochs stay epochs").containsExactly(1L, 2L, 3L);
        assertThat(p).extracting(MetricsReported::step).containsExactly(10L, 20L, 30L);
        assertThat(p.get(0).metrics()).containsEntry("val_loss", 1.6).containsEntry("train_loss", 1.5)
                .containsEntry("val_accuracy", 0.4).doesNotContainKey("val_runtime");
        assertThat(p.get(1).metrics()).as("step 15's loss, not the summary's mean").containsEntry("train_loss", 1.2);
        assertThat(p.get(2).metrics().get("train_loss")).isNaN();
        assertThat(started().config().batchSize()).isEqualTo(16);
        assertThat(started().config().maxEpochs()).isEqualTo(4);
        assertThat(started().config().model()).as("config.json beside it").isEqualTo("BertForSequenceClassification");
        assertThat(started().config().task()).isEqualTo("classification");
        assertThat(started().config().numClasses()).isEqualTo(3);
        assertThat(finished().status()).as("a checkpoint before max_steps").isEqualTo("stopped");
    }

    // Lightning

    @Test
    void shouldReadALightningMetricsCsvPairingByStepNotByFileOrder() throws IOException {
        Path file = write("lightning_logs/version_3/metrics.csv", """
                epoch,step,train_loss_step,train_loss_epoch,val_loss,val_acc
                0,9,1.9,,,
                0,19,1.7,,,
                0,19,,,1.50,0.41
                0,19,,1.80,,
                1,29,1.2,,,
                1,39,1.1,,,
                1,39,,,1.30,0.52
                1,39,,1.15,,
                """);
        write("lightning_logs/version_3/hparams.yaml", "lr: 0.003\nbatch_size: 64\nnested:\n  depth: 3\n");
        read(dir.resolve("lightning_logs"));

        assertThat(problems).isEmpty();
        List<MetricsReported> p = points();
        assertThat(p).hasSize(2);
        assertThat(p.get(0).runId()).isEqualTo("version_3");
        assertThat(p).extracting(MetricsReported::epoch).containsExactly(0L, 1L);
        assertThat(p).extracting(MetricsReported::step).containsExactly(19L, 39L);
        // the epoch-end training loss comes on the row after the validation row, at the same step
        assertThat(p.get(0).metrics()).containsOnly(entry("val_loss", 1.50), entry("train_loss", 1.80), entry("val_accuracy", 0.41));
        assertThat(p.get(1).metrics()).containsEntry("train_loss", 1.15).containsEntry("val_loss", 1.30);
        assertThat(started().config().lr()).isEqualTo(0.003);
        assertThat(started().config().batchSize()).isEqualTo(64);
        finished();
    }

    @Test
    void shouldNotTakeARealLightningCsvForAKerasOneWithEmptyCellsAsNaN() throws IOException {
        read(RAW.resolve("lightning/lightning-003.csv"));

        assertThat(problems).isEmpty();
        List<MetricsReported> p = points();
        assertThat(p).hasSize(WildLogsTest.convertedPoints("lightning-003"));
        assertThat(p).allSatisfy(m -> {
            assertThat(m.metrics().get("val_loss")).isFinite();
            assertThat(m.metrics().get("train_loss")).isFinite();
            assertThat(m.step()).isNotNull();
        });
        assertThat(p).extracting(MetricsReported::epoch).startsWith(0L, 1L, 2L);
    }

    // Keras

    @Test
    void shouldReadAKerasCsvAppendedByASecondTrainingAsWritten() throws IOException {
        read(RAW.resolve("keras/keras-042.csv"));

        assertThat(problems).isEmpty();
        assertThat(points()).extracting(MetricsReported::epoch)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(finished().epoch()).isEqualTo(9L);
    }

    @Test
    void shouldReadAKerasLogFileByItsHeaderWhateverItsExtension() throws IOException {
        read(RAW.resolve("keras/keras-003.log"));

        assertThat(problems).isEmpty();
        assertThat(points()).hasSize(151).allSatisfy(m -> assertThat(m.metrics()).containsKeys("train_loss", "val_loss"));
    }

    // TensorBoard

    @Test
    void shouldReadAKerasTensorBoardRunFromItsTrainAndValidationFolders() throws IOException {
        read(RAW.resolve("tensorboard/9"));

        assertThat(problems).isEmpty();
        List<MetricsReported> p = points();
        assertThat(p).hasSize(59);
        assertThat(p.get(0).runId()).isEqualTo("9");
        assertThat(p.get(0).epoch()).isEqualTo(1L);
        assertThat(p.get(0).step()).isEqualTo(0L);
        assertThat(p.get(0).metrics()).containsOnly(entry("val_loss", 3.367356300354004), entry("train_loss", 3.368008613586426));
        assertThat(p.get(0).timestamp()).as("the validation value's wall time").isEqualTo("2024-02-20T06:14:31.876Z");
        assertThat(started().timestamp()).as("the first record of the files, written when training began")
                .isEqualTo("2024-02-20T06:10:51Z");
    }

    @Test
    void shouldReadALightningTensorBoardFileWithTheTrainingLossAtOrBeforeEachValidation() throws IOException {
        read(RAW.resolve("tensorboard/1"));

        assertThat(problems).isEmpty();
        MetricsReported first = points().get(0);
        assertThat(first.step()).isEqualTo(13261L);
        assertThat(first.metrics()).containsOnly(entry("val_loss", 0.3606380522251129), entry("train_loss", 0.35673457384109497));
    }

    @Test
    void shouldTakeYoloBoxLossWhenOnlyComponentLossesAreLogged() throws IOException {
        read(RAW.resolve("tensorboard/7"));

        assertThat(points()).hasSize(150);
        assertThat(points().get(0).metrics()).containsOnly(entry("val_loss", 0.07440105080604553), entry("train_loss", 0.10470440238714218));
    }

    @Test
    void shouldReadAnEventFileCutOffInItsLastRecordWithOneWarning() throws IOException {
        read(RAW.resolve("tensorboard/15"));

        assertThat(points()).hasSize(8);
        assertThat(points().get(7).metrics()).containsEntry("val_loss", 0.1233825832605362);
        assertThat(problems).singleElement().satisfies(pr -> {
            assertThat(pr.line()).isZero();
            assertThat(pr.toString()).contains("events.out.tfevents").contains("cut off").contains("299054");
        });
    }

    // MLflow

    @Test
    void shouldReadAnMlflowRunWithItsParamsAsConfig() throws IOException {
        read(RAW.resolve("mlflow/1"));

        assertThat(problems).isEmpty();
        List<MetricsReported> p = points();
        assertThat(p).hasSize(182);
        assertThat(p.get(0).metrics()).containsOnly(entry("val_loss", 1.4901904947280884), entry("train_loss", 1.625997344970703));
        assertThat(p.get(0).step()).isEqualTo(1L);
        assertThat(p.get(0).timestamp()).isEqualTo("2024-12-07T17:09:53.187Z");
        assertThat(started().config().batchSize()).isEqualTo(128);
        assertThat(started().config().lr()).isEqualTo(0.005);
        assertThat(started().config().maxEpochs()).isEqualTo(182);
        assertThat(finished().status()).as("meta.yaml status 4 is FAILED").isEqualTo("failed");
    }

    @Test
    void shouldOrderAnMlflowMetricLoggedAtStepZeroThroughoutByLine() throws IOException {
        read(RAW.resolve("mlflow/9"));

        assertThat(points()).hasSize(91);
        assertThat(points()).extracting(MetricsReported::step).startsWith(1L, 2L, 3L).endsWith(91L);
        assertThat(points().get(90).metrics()).containsOnly(entry("val_loss", 0.6107420318996941), entry("train_loss", 0.7547943182069169));
    }

    @Test
    void shouldReadMlflowMetricNamesWithASlashFromNestedFolders() throws IOException {
        read(RAW.resolve("mlflow/7"));

        assertThat(points()).hasSize(20);
        assertThat(points().get(0).step()).isEqualTo(5L);
        assertThat(points().get(0).metrics()).containsOnly(entry("val_loss", 1.2400316866961394), entry("train_loss", 1.075590193271637));
    }

    // names

    @Test
    void shouldSayInOneLineWhenALogsLossesCannotBeToldApartAndReadTheRest() throws IOException {
        write("runs/a/metrics.csv", "epoch,step,mse_a,mse_b\n0,10,0.5,0.6\n1,20,0.4,0.5\n");
        write("runs/b/metrics.csv", "epoch,step,train_loss,val_loss\n0,10,0.5,0.6\n1,20,0.4,0.5\n");
        read(dir.resolve("runs"));

        assertThat(problems).singleElement().satisfies(pr -> assertThat(pr.toString())
                .contains("runs/a/metrics.csv").contains("[mse_a, mse_b]").contains("--train-metric").doesNotContain("\n"));
        assertThat(points()).hasSize(2).allSatisfy(m -> assertThat(m.runId()).isEqualTo("b"));
    }

    @Test
    void shouldTakeTheMetricsTheUserNamed() throws IOException {
        write("runs/a/metrics.csv", "epoch,step,mse_a,mse_b\n0,10,0.5,0.6\n1,20,0.4,0.5\n");
        read(dir.resolve("runs"), new LossNames("mse_a", "MSE_B"));

        assertThat(problems).isEmpty();
        assertThat(points()).hasSize(2);
        assertThat(points().get(1).metrics()).containsEntry("train_loss", 0.4).containsEntry("val_loss", 0.5);
    }
}
