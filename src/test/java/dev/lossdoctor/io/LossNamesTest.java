package dev.lossdoctor.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The name rules on the metric names real logs have (README's analyze section lists the rules). */
class LossNamesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            // names of one log (space-separated); chosen training loss; chosen validation loss
            "epoch_accuracy loss val_accuracy val_loss lr; loss; val_loss",                               // Keras CSVLogger
            "train_loss_epoch train_loss_step val_loss test_loss; train_loss_epoch; val_loss",              // Lightning
            "loss_dir loss_huber loss_mse test_loss train_loss val_loss; train_loss; val_loss",             // Lightning, parts and total
            "train_loss valid_loss test_loss; train_loss; valid_loss",
            "loss eval_loss eval_runtime grad_norm learning_rate; loss; eval_loss",                         // Hugging Face
            "train/epoch_loss train/epoch_learning_rate validation/epoch_loss validation/evaluation_loss_vs_iterations;"
                    + " train/epoch_loss; validation/epoch_loss",                                            // Keras TensorBoard
            "Loss/train Loss/valid Accuracy/train; Loss/train; Loss/valid",                                  // PyTorch SummaryWriter
            "train/box_loss train/obj_loss train/cls_loss val/box_loss val/obj_loss val/cls_loss metrics/mAP_0.5;"
                    + " train/box_loss; val/box_loss",                                                      // YOLOv5: parts only
            "tr_ls tr_ls_box_reg tr_ls_classifier val_ls val_ls_box_reg; tr_ls; val_ls",                    // MLflow, abbreviated
            "loss_seg/train loss_seg/val loss_seg/test acc/train; loss_seg/train; loss_seg/val",           // MLflow, nested names
            "trainLoss valLoss; trainLoss; valLoss",                                                        // camelCase
            "train_backcast_loss_epoch train_loss_epoch val_backcast_loss val_loss; train_loss_epoch; val_loss",
    })
    void shouldChooseTheTotalLossOfEachSide(String names, String train, String val) {
        LossNames.Choice c = LossNames.BY_NAME.choose(List.of(names.split(" ")));
        assertThat(c.train()).isEqualTo(train);
        assertThat(c.val()).isEqualTo(val);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {"accuracy val_accuracy", "mse_a mse_b", "test_loss test_acc"})
    void shouldFindNoLossWhenNoNameSaysLossOutsideATest(String names) {
        assertThat(LossNames.BY_NAME.choose(List.of(names.split(" "))).none()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "val_loss loss_a loss_b; loss_b",           // only the validation side named: the other by the rules
    })
    void shouldLetTheUserNameOneSide(String names, String train) {
        LossNames.Choice c = new LossNames(train, null).choose(List.of(names.split(" ")));
        assertThat(c.train()).isEqualTo("loss_b");
        assertThat(c.val()).isEqualTo("val_loss");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {"train/cls_loss val/box_loss val/cls_loss val/obj_loss"})
    void shouldPairAPartWithTheSamePartOfTheOtherSide(String names) {
        LossNames.Choice c = new LossNames("train/cls_loss", null).choose(List.of(names.split(" ")));
        assertThat(c.val()).isEqualTo("val/cls_loss");
    }
}
