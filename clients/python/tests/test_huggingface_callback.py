"""HuggingFaceCallback, driven the way ``transformers.Trainer`` calls a ``TrainerCallback``.

Transformers can't be installed here; the sequence is the Trainer's documented one: on_init_end,
on_train_begin, per epoch on_epoch_begin, per step on_step_begin ... on_step_end followed by
``_maybe_log_save_evaluate`` (on_log with the training logs every ``logging_steps``, then the
evaluation's on_log with ``eval_*`` and on_evaluate, then on_save), on_epoch_end and the epoch's own
log/evaluate, the end-of-training summary log (``train_runtime``...), on_train_end. Every event is
called as ``event(args, state, control, **kwargs)`` with model, optimizer... as keyword arguments.
"""

import types
import unittest

from loss_doctor_client import HuggingFaceCallback

from .fakes import RecordingBackend, events

HF_EVENTS = ["on_init_end", "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_step_begin",
             "on_substep_end", "on_step_end", "on_evaluate", "on_predict", "on_save", "on_log",
             "on_prediction_step", "on_optimizer_step", "on_pre_optimizer_step"]


class OptimizerNames:  # transformers.training_args.OptimizerNames is a str enum
    value = "adamw_torch"


class IntervalStrategy:  # transformers.trainer_utils.IntervalStrategy: "no", "steps", "epoch"
    def __init__(self, value):
        self.value = value


def training_args(**overrides):
    args = dict(optim=OptimizerNames(), learning_rate=5e-5, weight_decay=0.0, lr_scheduler_type="linear",
                warmup_ratio=0.0, seed=42, per_device_train_batch_size=16, gradient_accumulation_steps=2,
                world_size=1, num_train_epochs=2, max_steps=-1, run_name="bert-sst2", logging_steps=5,
                eval_steps=10, eval_strategy=IntervalStrategy("steps"))
    args.update(overrides)
    return types.SimpleNamespace(**args)


def trainer_state(max_steps):
    return types.SimpleNamespace(epoch=0.0, global_step=0, max_steps=max_steps, num_train_epochs=2,
                                 is_world_process_zero=True, is_local_process_zero=True, log_history=[])


def train(cb, args, state, steps_per_epoch, train_loss, eval_loss, stop_at=None):
    """transformers.Trainer's training loop, as far as callbacks see it."""
    control = types.SimpleNamespace(should_training_stop=False, should_log=False, should_evaluate=False)
    model = types.SimpleNamespace(config=types.SimpleNamespace(_name_or_path="bert-base-uncased"))
    kw = {"model": model, "optimizer": object(), "lr_scheduler": object(), "processing_class": None}
    cb.on_init_end(args, state, control, **kw)
    cb.on_train_begin(args, state, control, **kw)
    epochs = int(args.num_train_epochs)
    for epoch in range(epochs):
        cb.on_epoch_begin(args, state, control, **kw)
        for step in range(steps_per_epoch):
            cb.on_step_begin(args, state, control, **kw)
            cb.on_pre_optimizer_step(args, state, control, **kw)
            cb.on_optimizer_step(args, state, control, **kw)
            state.global_step += 1
            state.epoch = epoch + (step + 1) / steps_per_epoch
            cb.on_step_end(args, state, control, **kw)
            # _maybe_log_save_evaluate
            if state.global_step % args.logging_steps == 0:
                logs = {"loss": train_loss(state.global_step), "grad_norm": 1.5, "learning_rate": 4e-5,
                        "epoch": round(state.epoch, 4)}
                cb.on_log(args, state, control, logs=logs, **kw)
            if eval_loss is not None and state.global_step % args.eval_steps == 0:
                metrics = {"eval_loss": eval_loss(state.global_step), "eval_accuracy": 0.8, "eval_runtime": 1.2,
                           "eval_samples_per_second": 100.0, "eval_steps_per_second": 10.0,
                           "epoch": round(state.epoch, 4)}
                cb.on_log(args, state, control, logs=metrics, **kw)
                cb.on_evaluate(args, state, control, metrics=metrics, **kw)
                cb.on_save(args, state, control, **kw)
                if stop_at is not None and state.global_step >= stop_at:
                    control.should_training_stop = True  # EarlyStoppingCallback
            if control.should_training_stop:
                break
        cb.on_epoch_end(args, state, control, **kw)
        if control.should_training_stop:
            break
    cb.on_log(args, state, control, logs={"train_runtime": 12.3, "train_samples_per_second": 80.0,
                                          "train_steps_per_second": 5.0, "total_flos": 1e12, "train_loss": 0.5,
                                          "epoch": state.epoch}, **kw)
    cb.on_train_end(args, state, control, **kw)


class HuggingFaceCallbackTest(unittest.TestCase):

    def setUp(self):
        self.factory, self.records = RecordingBackend.factory()

    def callback(self, **kwargs):
        return HuggingFaceCallback(bootstrap_servers="kafka:9092", run_id="hf-1", backend=self.factory,
                                   exit_timeout=0, **kwargs)

    def test_each_evaluation_is_one_point_with_the_latest_training_values(self):
        cb = self.callback(config={"dataset": "sst2"})
        train(cb, training_args(), trainer_state(max_steps=40), steps_per_epoch=20,
              train_loss=lambda s: 1.0 / s, eval_loss=lambda s: 2.0 / s)
        sent = events(self.records)
        self.assertEqual(sent[0]["type"], "run_started")
        self.assertEqual(sent[0]["config"], {
            "optimizer": "adamw_torch", "lr": 5e-5, "weight_decay": 0.0, "lr_scheduler": "linear",
            "warmup_ratio": 0.0, "seed": 42, "batch_size": 32, "max_epochs": 2, "max_steps": 40,
            "model": "bert-base-uncased",
            "run_name": "bert-sst2", "dataset": "sst2"})
        points = [e for e in sent if e["type"] == "metrics"]
        self.assertEqual([p["step"] for p in points], [10, 20, 30, 40], "one point per evaluation")
        by_step = {p["step"]: p for p in points}
        self.assertEqual(by_step[10]["metrics"], {"train_loss": 0.1, "grad_norm": 1.5, "lr": 4e-5,
                                                  "val_loss": 0.2, "val_accuracy": 0.8})
        self.assertEqual([p["epoch"] for p in points], [0.5, 1, 1.5, 2], "the real, fractional epoch")
        self.assertIsInstance(points[1]["epoch"], int, "a whole epoch is sent whole")
        self.assertTrue(all("val_runtime" not in p["metrics"] for p in points))
        self.assertEqual(sent[-1]["type"], "run_finished")
        self.assertEqual(sent[-1]["status"], "completed")
        self.assertEqual(sent[-1]["epoch"], 2)
        self.assertEqual(len(sent), 6, "the end-of-training summary is not a point")

    def test_an_evaluation_carries_the_training_log_at_or_before_its_step(self):
        cb = self.callback()
        train(cb, training_args(logging_steps=4, eval_steps=10, num_train_epochs=1), trainer_state(max_steps=20),
              steps_per_epoch=20, train_loss=lambda s: 1.0 / s, eval_loss=lambda s: 0.5)
        points = [e for e in events(self.records) if e["type"] == "metrics"]
        self.assertEqual([p["step"] for p in points], [10, 20])
        self.assertEqual(points[0]["metrics"]["train_loss"], 1.0 / 8, "logged at step 8, the latest before 10")
        self.assertEqual(points[1]["metrics"]["train_loss"], 1.0 / 20, "logged at step 20 itself")
        self.assertEqual([p["epoch"] for p in points], [0.5, 1])

    def test_a_run_that_does_not_evaluate_sends_every_training_log(self):
        cb = self.callback()
        train(cb, training_args(logging_steps=5, eval_steps=10 ** 9, eval_strategy=IntervalStrategy("no")),
              trainer_state(max_steps=40), steps_per_epoch=20, train_loss=lambda s: 1.0 / s, eval_loss=None)
        points = [e for e in events(self.records) if e["type"] == "metrics"]
        self.assertEqual([p["step"] for p in points], [5, 10, 15, 20, 25, 30, 35, 40])
        self.assertEqual([p["epoch"] for p in points], [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2])
        self.assertEqual(points[0]["metrics"], {"train_loss": 0.2, "grad_norm": 1.5, "lr": 4e-5})

    def test_without_an_eval_strategy_training_logs_are_sent_until_the_first_evaluation(self):
        args = training_args(logging_steps=5, eval_steps=10)
        del args.eval_strategy  # arguments of an older or unusual trainer
        cb = self.callback()
        train(cb, args, trainer_state(max_steps=40), steps_per_epoch=20, train_loss=lambda s: 1.0 / s,
              eval_loss=lambda s: 2.0 / s)
        points = [e for e in events(self.records) if e["type"] == "metrics"]
        self.assertEqual([p["step"] for p in points], [5, 10, 20, 30, 40])
        self.assertEqual(points[0]["metrics"]["train_loss"], 0.2)
        self.assertEqual(points[1]["metrics"]["val_loss"], 0.2)
        self.assertEqual(points[2]["metrics"]["train_loss"], 1.0 / 20)

    def test_the_evaluate_after_training_at_the_last_step_is_left_out(self):
        cb = self.callback()
        args, state = training_args(), trainer_state(max_steps=40)
        train(cb, args, state, steps_per_epoch=20, train_loss=lambda s: 1.0, eval_loss=lambda s: 0.5)
        control = types.SimpleNamespace(should_training_stop=False)
        cb.on_log(args, state, control, logs={"eval_loss": 0.4, "epoch": 2.0})
        points = [e for e in events(self.records) if e["type"] == "metrics"]
        self.assertEqual([p["step"] for p in points], [10, 20, 30, 40])
        self.assertEqual(points[-1]["metrics"]["val_loss"], 0.5)

    def test_early_stopping_and_non_finite_values(self):
        cb = self.callback()
        train(cb, training_args(logging_steps=3), trainer_state(max_steps=40), steps_per_epoch=20,
              train_loss=lambda s: float("nan") if s > 6 else 1.0, eval_loss=lambda s: float("inf"), stop_at=20)
        sent = events(self.records)
        points = [e for e in sent if e["type"] == "metrics"]
        self.assertEqual([p["step"] for p in points], [10, 20])
        self.assertEqual(points[0]["metrics"]["train_loss"], "NaN", "logged at step 9")
        self.assertEqual(points[0]["metrics"]["val_loss"], "Infinity")
        self.assertEqual(sent[-1]["status"], "stopped_early")

    def test_only_the_main_process_reports(self):
        cb = self.callback()
        state = trainer_state(max_steps=40)
        state.is_world_process_zero = False
        train(cb, training_args(), state, steps_per_epoch=20, train_loss=lambda s: 1.0, eval_loss=lambda s: 1.0)
        cb.reporter.close(0.5)
        self.assertEqual(self.records, [])

    def test_has_every_trainer_callback_event(self):
        cb = self.callback()
        for event in HF_EVENTS:
            self.assertTrue(callable(getattr(cb, event, None)), event)
        cb.reporter.close(0)


if __name__ == "__main__":
    unittest.main()
