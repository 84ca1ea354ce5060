"""LightningCallback, driven the way ``lightning.pytorch.Trainer.fit`` calls a Callback's hooks.

Lightning can't be installed here; the order is Lightning 2.x's documented hook order for fit:
setup, on_fit_start, the sanity check (on_sanity_check_start, on_validation_* with
``trainer.sanity_checking`` True, on_sanity_check_end), on_train_start, then per epoch
on_train_epoch_start, batches, the validation loop (on_validation_start, on_validation_epoch_start,
on_validation_epoch_end, on_validation_end) and on_train_epoch_end, then on_train_end, on_fit_end and
teardown. ``trainer.callback_metrics`` holds 0-d tensors.
"""

import types
import unittest

from loss_doctor_client import LightningCallback

from .fakes import FakeTensor, RecordingBackend, events


class SGD:
    def __init__(self, lr):
        self.param_groups = [{"lr": lr, "momentum": 0.9}]


class Trainer:
    def __init__(self, max_epochs, global_rank=0):
        self.max_epochs = max_epochs
        self.global_rank = global_rank
        self.current_epoch = 0
        self.global_step = 0
        self.sanity_checking = False
        self.should_stop = False
        self.interrupted = False
        self.callback_metrics = {}
        self.optimizers = [SGD(0.05)]
        self.state = types.SimpleNamespace(fn="fit")


class Module:
    hparams = {"hidden": 256, "dropout": 0.0, "lr": 0.05}


def fit(cb, trainer, module, curves, steps_per_epoch=10, stop_after=None, fail_at=None):
    """Lightning's fit: the hooks a Callback sees, in order."""
    cb.setup(trainer, module, stage="fit")
    cb.on_fit_start(trainer, module)
    # sanity check: two validation batches before training; its metrics must not be reported
    trainer.sanity_checking = True
    cb.on_sanity_check_start(trainer, module)
    cb.on_validation_start(trainer, module)
    cb.on_validation_epoch_start(trainer, module)
    trainer.callback_metrics = {"val_loss": FakeTensor(2.3)}
    cb.on_validation_epoch_end(trainer, module)
    cb.on_validation_end(trainer, module)
    cb.on_sanity_check_end(trainer, module)
    trainer.sanity_checking = False
    trainer.callback_metrics = {}
    cb.on_train_start(trainer, module)
    try:
        for epoch, (train_loss, val_loss) in enumerate(curves):
            trainer.current_epoch = epoch
            cb.on_train_epoch_start(trainer, module)
            for _ in range(steps_per_epoch):
                cb.on_train_batch_start(trainer, module, None, 0)
                trainer.global_step += 1
                if fail_at is not None and epoch == fail_at:
                    raise RuntimeError("CUDA out of memory")
                # self.log("train_loss", on_step=True, on_epoch=True): the step value until the epoch ends
                trainer.callback_metrics["train_loss_step"] = FakeTensor(train_loss * 1.1)
                cb.on_train_batch_end(trainer, module, None, None, 0)
            # validation runs at the end of the epoch, before on_train_epoch_end
            cb.on_validation_start(trainer, module)
            cb.on_validation_epoch_start(trainer, module)
            trainer.callback_metrics["val_loss"] = FakeTensor(val_loss)
            trainer.callback_metrics["val_acc"] = FakeTensor(0.9)
            cb.on_validation_epoch_end(trainer, module)
            cb.on_validation_end(trainer, module)
            # the epoch-level training metrics are aggregated now
            trainer.callback_metrics["train_loss"] = FakeTensor(train_loss)
            trainer.callback_metrics["train_loss_epoch"] = FakeTensor(train_loss)
            cb.on_train_epoch_end(trainer, module)
            if stop_after is not None and epoch + 1 >= stop_after:
                trainer.should_stop = True  # EarlyStopping
                break
        cb.on_train_end(trainer, module)
        cb.on_fit_end(trainer, module)
    except BaseException as e:  # Lightning's _call_and_handle_interrupt
        cb.on_exception(trainer, module, e)
        raise
    finally:
        cb.teardown(trainer, module, stage="fit")


CURVES = [(1.0, 1.1), (0.6, 0.8), (0.4, 0.7), (0.3, 0.75)]


class LightningCallbackTest(unittest.TestCase):

    def setUp(self):
        self.factory, self.records = RecordingBackend.factory()

    def callback(self, **kwargs):
        return LightningCallback(bootstrap_servers="kafka:9092", run_id="pl-1", backend=self.factory,
                                 exit_timeout=0, **kwargs)

    def test_one_point_per_epoch_with_validation_and_epoch_level_training_metrics(self):
        cb = self.callback(config={"dataset": "cifar10"})
        fit(cb, Trainer(max_epochs=4), Module(), CURVES)
        sent = events(self.records)
        self.assertEqual([e["type"] for e in sent], ["run_started"] + ["metrics"] * 4 + ["run_finished"])
        self.assertEqual(sent[0]["config"], {"hidden": 256, "dropout": 0.0, "lr": 0.05, "optimizer": "sgd",
                                             "max_epochs": 4, "dataset": "cifar10"})
        points = sent[1:5]
        self.assertEqual([p["epoch"] for p in points], [1, 2, 3, 4])
        self.assertEqual([p["step"] for p in points], [10, 20, 30, 40])
        self.assertEqual([p["metrics"]["train_loss"] for p in points], [1.0, 0.6, 0.4, 0.3])
        self.assertEqual([p["metrics"]["val_loss"] for p in points], [1.1, 0.8, 0.7, 0.75])
        self.assertNotIn(2.3, [p["metrics"]["val_loss"] for p in points], "sanity-check metrics are not a point")
        self.assertEqual(sent[-1]["status"], "completed")

    def test_early_stopping_and_nan(self):
        cb = self.callback()
        fit(cb, Trainer(max_epochs=10), Module(), [(1.0, 1.0), (float("nan"), float("nan"))], stop_after=2)
        sent = events(self.records)
        self.assertEqual(sent[2]["metrics"]["train_loss"], "NaN")
        self.assertEqual(sent[-1]["status"], "stopped_early")

    def test_an_exception_in_training_reports_failed(self):
        cb = self.callback()
        with self.assertRaises(RuntimeError):
            fit(cb, Trainer(max_epochs=4), Module(), CURVES, fail_at=1)
        sent = events(self.records)
        self.assertEqual(sent[-1]["type"], "run_finished")
        self.assertEqual(sent[-1]["status"], "failed")

    def test_only_global_rank_zero_reports(self):
        cb = self.callback()
        fit(cb, Trainer(max_epochs=2, global_rank=1), Module(), CURVES[:2])
        cb.reporter.close(0.5)
        self.assertEqual(self.records, [])

    def test_an_epoch_without_validation_still_reports_training(self):
        cb = self.callback()
        trainer = Trainer(max_epochs=1)
        cb.on_train_start(trainer, Module())
        trainer.callback_metrics = {"loss": FakeTensor(0.5)}
        trainer.global_step = 5
        cb.on_train_epoch_end(trainer, Module())
        cb.on_train_end(trainer, Module())
        sent = events(self.records)
        self.assertEqual(sent[1]["metrics"], {"loss": 0.5})
        self.assertEqual(sent[1]["epoch"], 1)

    def test_has_the_callback_hooks_lightning_calls(self):
        cb = self.callback()
        for hook in ["setup", "teardown", "on_fit_start", "on_fit_end", "on_sanity_check_start",
                     "on_sanity_check_end", "on_train_start", "on_train_end", "on_train_epoch_start",
                     "on_train_epoch_end", "on_validation_epoch_start", "on_validation_epoch_end",
                     "on_train_batch_start", "on_train_batch_end", "on_exception", "state_dict",
                     "load_state_dict"]:
            self.assertTrue(callable(getattr(cb, hook, None)), hook)
        self.assertTrue(cb.state_key)
        cb.reporter.close(0)


if __name__ == "__main__":
    unittest.main()
