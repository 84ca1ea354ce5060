"""Keras: ``model.fit(x, y, validation_data=..., callbacks=[KerasCallback(bootstrap_servers="kafka:9092")])``.

Follows the documented ``keras.callbacks.Callback`` interface: Keras calls ``set_params``,
``set_model``, then ``on_train_begin(logs)``, ``on_epoch_end(epoch, logs)`` after each epoch (epoch
counted from 0, ``logs`` holding ``loss``, ``val_loss``, ``accuracy``... as Loss Doctor reads them)
and ``on_train_end(logs)``. When Keras is installed the class derives from its ``Callback``; without
it, from a stand-in with the same hooks, so that this module imports anywhere.
"""

import collections

from ._adapter import ReporterOwner, class_name, framework_base, safely


class _KerasCallbackStandIn:
    """The hooks of ``keras.callbacks.Callback`` (Keras 2 and 3), all doing nothing."""

    def __init__(self):
        self.params = {}
        self.model = None
        self.validation_data = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def _noop(self, *args, **kwargs):
        return None

    on_batch_begin = on_batch_end = on_epoch_begin = on_epoch_end = _noop
    on_train_batch_begin = on_train_batch_end = on_test_batch_begin = on_test_batch_end = _noop
    on_predict_batch_begin = on_predict_batch_end = on_train_begin = on_train_end = _noop
    on_test_begin = on_test_end = on_predict_begin = on_predict_end = _noop


_KerasBase = framework_base(["keras.callbacks:Callback", "tf_keras.callbacks:Callback",
                             "tensorflow.keras.callbacks:Callback"], _KerasCallbackStandIn)


class KerasCallback(_KerasBase, ReporterOwner):
    """Reports each epoch's ``logs`` to Loss Doctor.

    :param reporter: a Reporter to use (then not closed at the end); else one is made from
        ``bootstrap_servers``, ``run_id``, ``topic`` and ``reporter_kwargs``
    :param config: the run's config, merged over what is read off the model (optimizer, learning
        rate, loss, activations, epochs)
    """

    def __init__(self, reporter=None, *, bootstrap_servers=None, run_id=None, topic=None, config=None,
                 close_timeout=10.0, **reporter_kwargs):
        super().__init__()
        self._init_reporter(reporter, bootstrap_servers, run_id, topic, config, close_timeout, reporter_kwargs)

    @property
    def run_id(self):
        return self.reporter.run_id

    @safely
    def on_train_begin(self, logs=None):
        config = self._model_config()
        config.update(self.user_config)
        self.reporter.run_started(config)

    @safely
    def on_epoch_end(self, epoch, logs=None):
        # Keras counts epochs from 0; Loss Doctor's epochs are the number of epochs done
        self.reporter.report(epoch=int(epoch) + 1, metrics=dict(logs or {}))

    @safely
    def on_train_end(self, logs=None):
        model = getattr(self, "model", None)
        stopped_early = bool(getattr(model, "stop_training", False))
        epochs = (getattr(self, "params", None) or {}).get("epochs")
        last = self.reporter.last_epoch
        if stopped_early or (epochs is not None and last is not None and last < epochs):
            self._finish("stopped_early")
        else:
            self._finish("completed")

    def _model_config(self):
        """What the model says about itself; best effort, every piece optional."""
        config = {}
        params = getattr(self, "params", None) or {}
        if params.get("epochs") is not None:
            config["max_epochs"] = params["epochs"]
        model = getattr(self, "model", None)
        if model is None:
            return config
        try:
            optimizer = getattr(model, "optimizer", None)
            if optimizer is not None:
                config["optimizer"] = class_name(optimizer)
                lr = getattr(optimizer, "learning_rate", None)
                if lr is None:
                    lr = getattr(optimizer, "lr", None)
                try:
                    config["lr"] = float(lr)
                except (TypeError, ValueError):
                    pass  # a schedule
            loss = getattr(model, "loss", None)
            if isinstance(loss, str):
                config["loss"] = loss
            elif loss is not None and hasattr(loss, "__name__"):
                config["loss"] = loss.__name__
            activations = []
            for layer in getattr(model, "layers", None) or []:
                act = getattr(layer, "activation", None)
                if act is not None and hasattr(act, "__name__"):
                    activations.append(act.__name__)
            if activations:
                config["output_activation"] = activations[-1]
                hidden = [a for a in activations[:-1] if a != "linear"]
                if hidden:
                    config["hidden_activation"] = collections.Counter(hidden).most_common(1)[0][0]
            name = getattr(model, "name", None)
            if isinstance(name, str):
                config["model"] = name
        except Exception:  # noqa: BLE001 - the config is advice only
            pass
        return config
