"""KerasCallback, driven the way ``keras.Model.fit`` drives a ``keras.callbacks.Callback``.

Keras can't be installed here; the call sequence is Keras' documented one (and that of Keras 3's
``fit``): set_model/set_params, on_train_begin, then per epoch on_epoch_begin, on_train_batch_begin/
on_train_batch_end per batch, the validation pass (on_test_begin ... on_test_end), on_epoch_end(epoch,
logs) with epoch counted from 0, and on_train_end. EarlyStopping sets ``model.stop_training``.
"""

import unittest

from loss_doctor_client import KerasCallback, Reporter

from .fakes import RecordingBackend, events

# keras.callbacks.Callback's documented methods
KERAS_HOOKS = ["set_params", "set_model", "on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
               "on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end", "on_train_batch_begin",
               "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
               "on_predict_batch_end"]


def relu(x):
    return x


def softmax(x):
    return x


class Adam:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate


class Layer:
    def __init__(self, activation=None):
        if activation is not None:
            self.activation = activation


class Model:
    def __init__(self):
        self.name = "mnist_mlp"
        self.optimizer = Adam(0.001)
        self.loss = "categorical_crossentropy"
        self.layers = [Layer(), Layer(relu), Layer(relu), Layer(softmax)]
        self.stop_training = False


def fit(callback, model, epoch_logs, epochs, steps=3, stop_after=None):
    """What keras.Model.fit does with its callbacks."""
    callback.set_model(model)
    callback.set_params({"verbose": 1, "epochs": epochs, "steps": steps})
    callback.on_train_begin()
    logs = None
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch)
        for step in range(steps):
            callback.on_train_batch_begin(step)
            callback.on_train_batch_end(step, {"loss": 1.0, "accuracy": 0.5})
        callback.on_test_begin()
        for step in range(2):
            callback.on_test_batch_begin(step)
            callback.on_test_batch_end(step, {"loss": 1.1})
        callback.on_test_end({"loss": 1.1})
        logs = epoch_logs[epoch]
        callback.on_epoch_end(epoch, logs)
        if stop_after is not None and epoch + 1 >= stop_after:
            model.stop_training = True  # what keras.callbacks.EarlyStopping does
        if model.stop_training:
            break
    callback.on_train_end(logs)


def keras_logs(n):
    return [{"loss": 1.0 / (e + 1), "accuracy": 0.5 + e / 100, "val_loss": 1.2 / (e + 1) + 0.01 * e,
             "val_accuracy": 0.45 + e / 100} for e in range(n)]


class KerasCallbackTest(unittest.TestCase):

    def setUp(self):
        self.factory, self.records = RecordingBackend.factory()

    def callback(self, **kwargs):
        return KerasCallback(bootstrap_servers="kafka:9092", run_id="keras-1", backend=self.factory,
                             exit_timeout=0, **kwargs)

    def test_has_every_documented_keras_hook(self):
        cb = self.callback()
        for hook in KERAS_HOOKS:
            self.assertTrue(callable(getattr(cb, hook, None)), hook)
        cb.reporter.close(0)

    def test_a_fit_reports_run_started_each_epoch_and_run_finished(self):
        cb = self.callback(config={"dataset": "mnist", "batch_size": 64})
        fit(cb, Model(), keras_logs(3), epochs=3)
        sent = events(self.records)  # the callback closed its own reporter: all delivered
        self.assertEqual([e["type"] for e in sent], ["run_started", "metrics", "metrics", "metrics", "run_finished"])
        self.assertEqual(sent[0]["config"], {
            "max_epochs": 3, "optimizer": "adam", "lr": 0.001, "loss": "categorical_crossentropy",
            "output_activation": "softmax", "hidden_activation": "relu", "model": "mnist_mlp",
            "dataset": "mnist", "batch_size": 64})
        self.assertEqual([e["epoch"] for e in sent[1:4]], [1, 2, 3], "Keras' 0-based epoch becomes epochs done")
        self.assertEqual(sent[1]["metrics"], {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.2, "val_accuracy": 0.45})
        self.assertEqual(sent[4], {**sent[4], "status": "completed", "epoch": 3})
        self.assertTrue(all(k == b"keras-1" for _t, k, _v in self.records))

    def test_early_stopping_is_reported_as_such(self):
        cb = self.callback()
        fit(cb, Model(), keras_logs(10), epochs=10, stop_after=4)
        sent = events(self.records)
        self.assertEqual(sent[-1]["status"], "stopped_early")
        self.assertEqual(sent[-1]["epoch"], 4)

    def test_nan_loss_from_keras_is_sent_safely(self):
        cb = self.callback()
        logs = keras_logs(2)
        logs[1] = {"loss": float("nan"), "val_loss": float("inf")}
        fit(cb, Model(), logs, epochs=2)
        self.assertEqual(events(self.records)[2]["metrics"], {"loss": "NaN", "val_loss": "Infinity"})

    def test_a_shared_reporter_is_not_closed_by_the_callback(self):
        reporter = Reporter("kafka:9092", run_id="shared", backend=self.factory, exit_timeout=0)
        cb = KerasCallback(reporter)
        fit(cb, Model(), keras_logs(1), epochs=1)
        reporter.report(99, loss=0.1)  # still open
        self.assertTrue(reporter.flush(5))
        self.assertEqual(events(self.records)[-1]["epoch"], 99)
        reporter.close(1)

    def test_a_model_without_the_usual_attributes_still_trains(self):
        cb = self.callback()
        cb.set_model(object())
        cb.set_params({})
        cb.on_train_begin()
        cb.on_epoch_end(0, None)  # no logs at all
        cb.on_train_end()
        sent = events(self.records)
        self.assertEqual(sent[0]["config"], {})
        self.assertEqual(sent[1]["metrics"], {})


if __name__ == "__main__":
    unittest.main()
