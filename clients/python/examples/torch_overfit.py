#!/usr/bin/env python3
"""A real PyTorch training run that overfits, reported to Loss Doctor through the Reporter.

A wide MLP (64-512-512-10, no dropout, no weight decay) trained with Adam on only 60 images of
scikit-learn's bundled digits data set, for 150 epochs: the training loss goes to ~0 while the
validation loss, after a minimum in the first epochs, climbs as the model grows over-confident on
what it memorized. The textbook case of ``overfitting``. Runs in a few seconds on a CPU.

    python3 torch_overfit.py --bootstrap-servers localhost:9092 --run-id mlp-digits-1

Needs torch and scikit-learn (Debian: python3-torch python3-sklearn) and kafka-python.
"""

import argparse
import logging
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from loss_doctor_client import Reporter  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap-servers", default=os.environ.get("LOSSDOCTOR_BOOTSTRAP_SERVERS", "localhost:9092"))
    parser.add_argument("--topic", default="training-metrics")
    parser.add_argument("--run-id", default=None)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--train-size", type=int, default=60)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--print-every", type=int, default=10)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target, dtype=torch.long)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(args.seed))
    train_idx, val_idx = order[:args.train_size], order[args.train_size:args.train_size + 500]
    x_train, y_train, x_val, y_val = x[train_idx], y[train_idx], x[val_idx], y[val_idx]

    model = torch.nn.Sequential(
        torch.nn.Linear(64, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    reporter = Reporter(args.bootstrap_servers, topic=args.topic, run_id=args.run_id)
    reporter.run_started({
        "optimizer": "adam", "lr": args.lr, "batch_size": args.train_size, "task": "classification",
        "loss": "cross_entropy", "output_activation": "softmax", "hidden_activation": "relu",
        "max_epochs": args.epochs, "num_classes": 10, "model": "mlp-512x512", "dataset": "sklearn-digits",
    })
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        optimizer.zero_grad()
        train_loss = loss_fn(model(x_train), y_train)
        train_loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            out = model(x_val)
            val_loss = loss_fn(out, y_val)
            val_accuracy = (out.argmax(1) == y_val).float().mean()
            train_eval_loss = loss_fn(model(x_train), y_train)
        reporter.report(epoch, train_loss=train_eval_loss, val_loss=val_loss, val_accuracy=val_accuracy)
        if args.print_every and (epoch % args.print_every == 0 or epoch == 1):
            print("epoch %3d  train_loss %.4f  val_loss %.4f  val_accuracy %.3f"
                  % (epoch, train_eval_loss.item(), val_loss.item(), val_accuracy.item()), flush=True)
    reporter.run_finished("completed")
    undelivered = reporter.close(30)
    print("run %s: %d epochs in %.1fs, %s" % (reporter.run_id, args.epochs, time.time() - start, reporter.stats),
          flush=True)
    return 1 if undelivered else 0


if __name__ == "__main__":
    sys.exit(main())
