"""JSON encoding of training events the way Loss Doctor reads them (DESIGN.md section 2).

Python's ``json`` writes non-finite floats as bare ``NaN``/``Infinity`` tokens, which strict JSON
parsers refuse. Loss Doctor accepts them, but other consumers of ``training-metrics`` may not, so
the client writes them as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` and the JSON
stays strict. Framework scalars (NumPy, PyTorch, TensorFlow) are turned into Python numbers.
"""

import datetime
import json
import math
import numbers

# Loss Doctor's limit on one event (EventParser.MAX_VALUE_BYTES is 64 KiB); keep a margin.
MAX_EVENT_BYTES = 60 * 1024
MAX_METRICS = 256
MAX_NAME_LENGTH = 128
MAX_RUN_ID_LENGTH = 256

# The config fields Loss Doctor reads (DESIGN.md section 2); kept when a config is too large.
KNOWN_CONFIG_FIELDS = (
    "optimizer", "lr", "learning_rate", "batch_size", "task", "loss", "output_activation",
    "hidden_activation", "activation", "max_epochs", "epochs", "num_classes", "model", "dataset",
)


def _unwrap(value):
    """A NumPy/PyTorch/TensorFlow scalar as a Python number; other values unchanged."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return item()  # numpy.float32, torch.Tensor of one element, ...
        except Exception:  # noqa: BLE001 - a tensor of many elements, or anything odd
            return value
    numpy_fn = getattr(value, "numpy", None)  # tf.Tensor
    if callable(numpy_fn):
        try:
            return _unwrap(numpy_fn())
        except Exception:  # noqa: BLE001
            return value
    return value


def encode_float(value):
    """A float as JSON-safe: itself when finite, else "NaN", "Infinity" or "-Infinity"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def metric_value(value):
    """A metric's value as Loss Doctor accepts it, or ``_SKIP`` when it is no number at all.

    Finite numbers stay numbers; NaN and infinities become strings; ``None`` stays ``None`` (null,
    "not finite" to Loss Doctor); strings that spell a number are parsed.
    """
    value = _unwrap(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return _SKIP  # Loss Doctor refuses true/false as a metric
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return encode_float(float(value))
    if isinstance(value, str):
        try:
            return encode_float(float(value.strip()))
        except ValueError:
            return _SKIP
    return _SKIP


class _Skip:
    def __repr__(self):
        return "SKIP"


_SKIP = _Skip()


def clean_metrics(metrics):
    """The metrics that can be sent, and the names of those that can't (not numbers, bad names)."""
    kept, skipped = {}, []
    for name, value in metrics.items():
        key = str(name).strip()
        if not key or len(key) > MAX_NAME_LENGTH:
            skipped.append(str(name))
            continue
        v = metric_value(value)
        if v is _SKIP:
            skipped.append(key)
            continue
        if len(kept) >= MAX_METRICS:
            skipped.append(key)
            continue
        kept[key] = v
    return kept, skipped


def json_safe(value, _depth=0):
    """Any config value as strict-JSON data: non-finite floats as strings, unknown objects as str()."""
    if _depth > 20:
        return str(value)
    value = _unwrap(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return encode_float(float(value))
    if isinstance(value, dict):
        return {str(k): json_safe(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v, _depth + 1) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return str(value)


def dumps(event):
    """The event as compact, strict UTF-8 JSON bytes (never NaN tokens)."""
    return json.dumps(event, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode("utf-8")


def counter(value):
    """An epoch or step as a non-negative int, or None when absent or unusable."""
    n = epoch_number(value)
    return None if n is None else int(n)


def epoch_number(value):
    """An epoch as Loss Doctor takes it: a whole one as an int, a fractional one (Hugging Face's 0.25
    after a quarter of the first epoch) as a float; None when absent or unusable."""
    value = _unwrap(value)
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f) or f < 0:
        return None
    return int(f) if f.is_integer() else f


def utc_now_iso():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
