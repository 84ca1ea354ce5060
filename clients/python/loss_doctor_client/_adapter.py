"""What the framework adapters share: finding the framework's callback base class without
requiring the framework, and owning (or borrowing) a Reporter."""

import importlib
import importlib.util
import logging

from .reporter import DEFAULT_TOPIC, Reporter

LOG = logging.getLogger("loss_doctor_client")


def framework_base(candidates, fallback):
    """The first importable ``module:attribute`` of ``candidates``, else ``fallback``.

    A module is only imported when it is installed, so nothing slow happens without the framework.
    """
    for spec in candidates:
        module_name, _, attr = spec.partition(":")
        try:
            if importlib.util.find_spec(module_name.split(".")[0]) is None:
                continue
            return getattr(importlib.import_module(module_name), attr)
        except Exception:  # noqa: BLE001 - a broken install of the framework: use the fallback
            continue
    return fallback


class ReporterOwner:
    """Holds the adapter's reporter; closes it at the end of training only if it made it."""

    def _init_reporter(self, reporter, bootstrap_servers, run_id, topic, config, close_timeout, reporter_kwargs):
        if reporter is None:
            reporter = Reporter(bootstrap_servers, topic=topic or DEFAULT_TOPIC, run_id=run_id, **reporter_kwargs)
            self._owns_reporter = True
        else:
            self._owns_reporter = False
        self.reporter = reporter
        self.user_config = dict(config or {})
        self.close_timeout = close_timeout

    def _finish(self, status):
        if not self.reporter.finished:
            self.reporter.run_finished(status)
        if self._owns_reporter:
            self.reporter.close(self.close_timeout)


def safely(fn):
    """A callback hook that logs instead of raising: reporting must never stop training."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:  # noqa: BLE001
            LOG.exception("Loss Doctor: %s failed; training goes on", fn.__name__)
            return None

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def class_name(obj):
    """``Adam`` for an Adam optimizer object, lower-cased: ``adam``."""
    return type(obj).__name__.lower() if obj is not None else None
