"""PyTorch Lightning: ``Trainer(callbacks=[LightningCallback(bootstrap_servers="kafka:9092")])``.

Follows the documented ``lightning.pytorch.callbacks.Callback`` hooks. Lightning calls
``on_train_start(trainer, pl_module)``; in each epoch the validation loop ends
(``on_validation_epoch_end(trainer, pl_module)``, also during the sanity check, which is skipped)
before ``on_train_epoch_end(trainer, pl_module)``, when the epoch-level training metrics are in
``trainer.callback_metrics``; then ``on_train_end`` (or ``on_exception``). So the callback reads
the validation metrics when validation ends and sends one point per epoch, with the training
metrics, when the epoch ends. Log your losses with ``self.log("train_loss", ..., on_epoch=True)``
and ``self.log("val_loss", ...)`` (any names Loss Doctor knows: ``loss``, ``val_loss``...).

Only global rank 0 reports. Without Lightning installed the class derives from a stand-in with the
same hooks, so that this module imports anywhere.
"""

from ._adapter import ReporterOwner, class_name, framework_base, safely
from .encoding import json_safe


class _LightningCallbackStandIn:
    """The hooks of ``lightning.pytorch.callbacks.Callback``, all doing nothing."""

    @property
    def state_key(self):
        return type(self).__qualname__

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        pass

    def _noop(self, *args, **kwargs):
        return None

    setup = teardown = on_fit_start = on_fit_end = on_sanity_check_start = on_sanity_check_end = _noop
    on_train_batch_start = on_train_batch_end = on_train_epoch_start = on_train_epoch_end = _noop
    on_validation_epoch_start = on_validation_epoch_end = on_test_epoch_start = on_test_epoch_end = _noop
    on_predict_epoch_start = on_predict_epoch_end = on_validation_batch_start = on_validation_batch_end = _noop
    on_test_batch_start = on_test_batch_end = on_predict_batch_start = on_predict_batch_end = _noop
    on_train_start = on_train_end = on_validation_start = on_validation_end = on_test_start = on_test_end = _noop
    on_predict_start = on_predict_end = on_exception = on_save_checkpoint = on_load_checkpoint = _noop
    on_before_backward = on_after_backward = on_before_optimizer_step = on_before_zero_grad = _noop


_LightningBase = framework_base(["lightning.pytorch.callbacks:Callback", "pytorch_lightning.callbacks:Callback"],
                                _LightningCallbackStandIn)


def _metrics(trainer):
    """``trainer.callback_metrics`` (tensors) as plain numbers."""
    out = {}
    for name, value in dict(getattr(trainer, "callback_metrics", None) or {}).items():
        out[str(name)] = value  # the reporter unwraps tensors and encodes non-finite values
    return out


class LightningCallback(_LightningBase, ReporterOwner):
    """Reports each epoch's ``trainer.callback_metrics`` to Loss Doctor.

    :param reporter: a Reporter to use (then not closed at the end); else one is made from
        ``bootstrap_servers``, ``run_id``, ``topic`` and ``reporter_kwargs``
    :param config: the run's config, merged over what is read off the trainer (optimizer, lr,
        max_epochs) and the module's ``hparams``
    """

    def __init__(self, reporter=None, *, bootstrap_servers=None, run_id=None, topic=None, config=None,
                 close_timeout=10.0, **reporter_kwargs):
        super().__init__()
        self._init_reporter(reporter, bootstrap_servers, run_id, topic, config, close_timeout, reporter_kwargs)
        self._val_metrics = None
        self._val_epoch = None

    @property
    def run_id(self):
        return self.reporter.run_id

    @staticmethod
    def _is_reporter(trainer):
        return getattr(trainer, "global_rank", 0) == 0

    @safely
    def on_train_start(self, trainer, pl_module):
        if not self._is_reporter(trainer):
            return
        config = {}
        hparams = getattr(pl_module, "hparams", None)
        if hparams:
            try:
                config.update(json_safe(dict(hparams)))
            except Exception:  # noqa: BLE001 - hparams of an odd type
                pass
        optimizers = getattr(trainer, "optimizers", None) or []
        if optimizers:
            opt = optimizers[0]
            config.setdefault("optimizer", class_name(opt))
            groups = getattr(opt, "param_groups", None) or []
            if groups and "lr" in groups[0]:
                config.setdefault("lr", groups[0]["lr"])
        max_epochs = getattr(trainer, "max_epochs", None)
        if max_epochs is not None and max_epochs >= 0:
            config.setdefault("max_epochs", max_epochs)
        config.update(self.user_config)
        self.reporter.run_started(config)

    @safely
    def on_validation_epoch_end(self, trainer, pl_module):
        if getattr(trainer, "sanity_checking", False) or not self._is_reporter(trainer):
            return
        fn = getattr(getattr(trainer, "state", None), "fn", None)
        if fn is not None and str(getattr(fn, "value", fn)) != "fit":
            return  # trainer.validate(): no training run to report
        self._val_metrics = _metrics(trainer)
        self._val_epoch = getattr(trainer, "current_epoch", 0)

    @safely
    def on_train_epoch_end(self, trainer, pl_module):
        if not self._is_reporter(trainer):
            return
        epoch = getattr(trainer, "current_epoch", 0)
        metrics = _metrics(trainer)
        if self._val_metrics is not None and self._val_epoch == epoch:
            for name, value in self._val_metrics.items():
                metrics.setdefault(name, value)
        self._val_metrics = None
        self.reporter.report(epoch=int(epoch) + 1, step=getattr(trainer, "global_step", None), metrics=metrics)

    @safely
    def on_train_end(self, trainer, pl_module):
        if not self._is_reporter(trainer):
            return
        self._flush_validation(trainer)
        max_epochs = getattr(trainer, "max_epochs", None)
        last = self.reporter.last_epoch
        if getattr(trainer, "interrupted", False):
            status = "interrupted"
        elif getattr(trainer, "should_stop", False) or (max_epochs and max_epochs > 0 and last is not None
                                                         and last < max_epochs):
            status = "stopped_early"
        else:
            status = "completed"
        self._finish(status)

    @safely
    def on_exception(self, trainer, pl_module, exception):
        if not self._is_reporter(trainer):
            return
        self._finish("interrupted" if isinstance(exception, KeyboardInterrupt) else "failed")

    def _flush_validation(self, trainer):
        """A validation that ran after the last epoch end (validation every n steps) still counts."""
        if self._val_metrics is not None:
            metrics, self._val_metrics = self._val_metrics, None
            self.reporter.report(epoch=int(self._val_epoch) + 1, step=getattr(trainer, "global_step", None),
                                 metrics=metrics)
