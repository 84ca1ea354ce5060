"""Loss Doctor's trainer-side client: publish a training run's metrics to Kafka in one line.

    from loss_doctor_client import Reporter                      # plain Python / PyTorch loops
    from loss_doctor_client import KerasCallback                 # model.fit(..., callbacks=[KerasCallback(...)])
    from loss_doctor_client import LightningCallback             # Trainer(callbacks=[LightningCallback(...)])
    from loss_doctor_client import HuggingFaceCallback           # Trainer(callbacks=[HuggingFaceCallback(...)])
"""

from .reporter import Reporter, default_run_id
from .keras_callback import KerasCallback
from .lightning_callback import LightningCallback
from .huggingface_callback import HuggingFaceCallback

__all__ = ["Reporter", "default_run_id", "KerasCallback", "LightningCallback", "HuggingFaceCallback"]
__version__ = "0.1.0"
