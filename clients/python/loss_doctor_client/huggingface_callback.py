"""Hugging Face Transformers: ``Trainer(..., callbacks=[HuggingFaceCallback(bootstrap_servers="kafka:9092")])``.

Follows the documented ``transformers.TrainerCallback`` interface: every event is called as
``event(args, state, control, **kwargs)``; ``on_log`` gets ``logs=``. The Trainer logs training
metrics (``loss``, ``learning_rate``, ``grad_norm``, ``epoch``) every ``logging_steps`` and
evaluation metrics (``eval_loss``, ``eval_accuracy``...) after each evaluation, each in its own
``on_log`` call. Training is usually logged far more often than evaluated; a point per training log
would bury the few validation values among them (the analysis reads trends over the last points).
So when the run evaluates (``eval_strategy`` other than ``"no"``), the callback sends one point per
evaluation carrying the latest training values logged at or before its step, exactly the points
``loss-doctor analyze`` reads from the run's ``trainer_state.json`` (a second evaluation at a step
already sent, the ``evaluate()`` after training, is left out); a run that doesn't evaluate sends a
point per training log (when the arguments don't say, training logs are sent until the first
evaluation). Names: ``train_loss`` from ``loss``, ``lr`` from ``learning_rate``,
``val_*`` from ``eval_*``. Points carry ``step`` (the global step) and the real, fractional
``epoch`` the Trainer logged (0.25 after a quarter of the first epoch). Only the main process
reports.

Without ``transformers`` installed the class derives from a stand-in with the same hooks, so that
this module imports anywhere.
"""

import math

from ._adapter import ReporterOwner, framework_base, safely


class _TrainerCallbackStandIn:
    """The events of ``transformers.TrainerCallback``, all doing nothing."""

    def _noop(self, args, state, control, **kwargs):
        return None

    on_init_end = on_train_begin = on_train_end = on_epoch_begin = on_epoch_end = _noop
    on_step_begin = on_pre_optimizer_step = on_optimizer_step = on_substep_end = on_step_end = _noop
    on_evaluate = on_predict = on_save = on_log = on_prediction_step = _noop


_HFBase = framework_base(["transformers:TrainerCallback"], _TrainerCallbackStandIn)

# what the Trainer logs that is no point of a curve
_SKIP_SUFFIXES = ("_runtime", "_samples_per_second", "_steps_per_second")
_SKIP = {"epoch", "total_flos", "step"}


def _value(v):
    return getattr(v, "value", v)  # enums (OptimizerNames, IntervalStrategy) to their string


def _curve_metrics(logs):
    """A log's metrics under Loss Doctor's names; None for the end-of-training summary log."""
    if "train_runtime" in logs:
        return None  # the summary: its train_loss is the mean over the whole run, not a point
    out = {}
    for name, value in logs.items():
        if name in _SKIP or name.endswith(_SKIP_SUFFIXES):
            continue
        if name == "loss":
            name = "train_loss"
        elif name == "learning_rate":
            name = "lr"
        elif name.startswith("eval_"):
            name = "val_" + name[len("eval_"):]
        out[name] = value
    return out


def _epoch(logs, state):
    """The epoch of a log, as the Trainer wrote it in the log (so in ``trainer_state.json``), else the state's."""
    for value in (logs.get("epoch"), getattr(state, "epoch", None)):
        try:
            f = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f) and f >= 0:
            return int(f) if f.is_integer() else f
    return None


def _evaluates(args):
    """Whether the Trainer evaluates during training: ``eval_strategy`` (``evaluation_strategy``
    before transformers 4.41) other than ``"no"``; None when the arguments don't say."""
    for field in ("eval_strategy", "evaluation_strategy"):
        strategy = getattr(args, field, None)
        if strategy is not None:
            return str(_value(strategy)).lower() != "no"
    return None


class HuggingFaceCallback(_HFBase, ReporterOwner):
    """Reports the Trainer's logs to Loss Doctor.

    :param reporter: a Reporter to use (then not closed at the end); else one is made from
        ``bootstrap_servers``, ``run_id``, ``topic`` and ``reporter_kwargs``
    :param config: the run's config, merged over what is read off ``TrainingArguments`` and the model
    """

    def __init__(self, reporter=None, *, bootstrap_servers=None, run_id=None, topic=None, config=None,
                 close_timeout=10.0, **reporter_kwargs):
        super().__init__()
        self._init_reporter(reporter, bootstrap_servers, run_id, topic, config, close_timeout, reporter_kwargs)
        self._training = {}  # the latest value of each training metric logged, sent with the next evaluation
        self._evaluated = set()  # the steps evaluated
        self._evaluates = None
        self._pending = None  # (step, epoch, metrics) of a training log not sent yet (runs that don't evaluate)

    @property
    def run_id(self):
        return self.reporter.run_id

    @staticmethod
    def _is_reporter(state):
        return bool(getattr(state, "is_world_process_zero", True))

    @safely
    def on_train_begin(self, args, state, control, **kwargs):
        if not self._is_reporter(state):
            return
        config = {}
        optim = getattr(args, "optim", None)
        if optim is not None:
            config["optimizer"] = str(_value(optim))
        for field, key in (("learning_rate", "lr"), ("weight_decay", "weight_decay"),
                           ("lr_scheduler_type", "lr_scheduler"), ("warmup_ratio", "warmup_ratio"),
                           ("seed", "seed")):
            value = getattr(args, field, None)
            if value is not None:
                config[key] = _value(value)
        per_device = getattr(args, "per_device_train_batch_size", None)
        if per_device:
            batch = per_device * max(1, getattr(args, "gradient_accumulation_steps", 1) or 1)
            config["batch_size"] = batch * max(1, getattr(args, "world_size", 1) or 1)
        max_steps = getattr(state, "max_steps", None) or getattr(args, "max_steps", None)
        epochs = getattr(state, "num_train_epochs", None) or getattr(args, "num_train_epochs", None)
        if epochs:
            config["max_epochs"] = epochs
        if max_steps and max_steps > 0:
            config["max_steps"] = max_steps
        model = kwargs.get("model")
        model_config = getattr(model, "config", None)
        name = getattr(model_config, "_name_or_path", None) or getattr(model_config, "model_type", None)
        if name:
            config["model"] = str(name)
        elif model is not None:
            config["model"] = type(model).__name__
        run_name = getattr(args, "run_name", None)
        if run_name:
            config["run_name"] = str(run_name)
        config.update(self.user_config)
        self._evaluates = _evaluates(args)
        self.reporter.run_started(config)

    @safely
    def on_log(self, args, state, control, logs=None, **kwargs):
        if not self._is_reporter(state) or not logs:
            return
        metrics = _curve_metrics(dict(logs))
        if not metrics:
            return
        step = getattr(state, "global_step", None)
        epoch = _epoch(logs, state)
        if any(k.startswith("eval_") for k in logs):
            if self._pending is not None and self._pending[0] == step:
                self._pending = None  # its values are in _training: sent with this evaluation
            self._flush()
            if step in self._evaluated:
                return  # evaluate() after training, at the last step again
            self._evaluated.add(step)
            point = dict(self._training)
            point.update(metrics)
            self._send(step, epoch, point)
            return
        self._training.update(metrics)
        if not (self._evaluates or (self._evaluates is None and self._evaluated)):
            # a point per training log, held until the next step: an evaluation of the same step joins it
            self._flush()
            self._pending = (step, epoch, metrics)

    @safely
    def on_step_begin(self, args, state, control, **kwargs):
        self._flush()

    @safely
    def on_epoch_begin(self, args, state, control, **kwargs):
        self._flush()

    @safely
    def on_train_end(self, args, state, control, **kwargs):
        if not self._is_reporter(state):
            return
        self._flush()
        max_steps = getattr(state, "max_steps", None)
        step = getattr(state, "global_step", None)
        # EarlyStoppingCallback ends training before max_steps
        self._finish("stopped_early" if max_steps and step is not None and step < max_steps else "completed")

    def _flush(self):
        if self._pending is not None:
            step, epoch, metrics = self._pending
            self._pending = None
            self._send(step, epoch, metrics)

    def _send(self, step, epoch, metrics):
        self.reporter.report(epoch=epoch, step=step, metrics=metrics)
