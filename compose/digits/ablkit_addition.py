"""ABLkit on Neurocomp's digit-addition data: run inside ABLkit's own virtualenv.

``benchmarks/digits_vs_ablkit.py`` writes the data (the same training pairs, test images and test
pairs Neurocomp's learner gets) to an ``.npz`` file and runs this script with that
virtualenv's Python. It trains ABLkit's standard pipeline (``KBBase`` with the sum as its logic,
``BasicNN`` around the same :class:`DigitNet` Neurocomp uses, trained with the optimizer,
schedule and loss of ABLkit's own MNIST-addition example, ``Reasoner`` with the ``confidence``
distance, ``SimpleBridge``) and prints one JSON line: digit accuracy on every test
image, sum accuracy on the test pairs, and the seconds ``SimpleBridge.train`` took.

Usage: ``python ablkit_addition.py DATA.npz SEED LOOPS SEGMENT_SIZE``
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from ablkit.bridge import SimpleBridge
from ablkit.data.evaluation import ReasoningMetric
from ablkit.learning import ABLModel, BasicNN
from ablkit.reasoning import KBBase, Reasoner

ROOT = Path(__file__).resolve().parents[2]


def _digit_net() -> type:
    """Neurocomp's DigitNet, loaded by its path: this virtualenv has torch, not Neurocomp."""
    spec = importlib.util.spec_from_file_location("nc_digits", ROOT / "neural" / "digits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DigitNet


class AddKB(KBBase):
    def __init__(self) -> None:
        super().__init__(pseudo_label_list=list(range(10)))

    def logic_forward(self, nums: list[int]) -> int:
        return sum(nums)


def main(path: str, seed: int, loops: int, segment_size: float) -> None:
    data = np.load(path)
    torch.manual_seed(seed)
    np.random.seed(seed)
    net = _digit_net()(10)
    # ABLkit's own MNIST-addition settings (examples/mnist_add/main.py): RMSprop at 3e-4,
    # label smoothing 0.2, a one-cycle schedule over every segment of every loop.
    optimizer = torch.optim.RMSprop(net.parameters(), lr=3e-4, alpha=0.9)
    segments = round(1 / segment_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=3e-4, pct_start=0.15, epochs=loops, steps_per_epoch=segments
    )
    base = BasicNN(
        net,
        torch.nn.CrossEntropyLoss(label_smoothing=0.2),
        optimizer,
        scheduler=scheduler,
        device=torch.device("cpu"),
        batch_size=32,
        num_epochs=1,
    )
    kb = AddKB()
    bridge = SimpleBridge(
        ABLModel(base),
        Reasoner(kb, dist_func="confidence"),
        [ReasoningMetric(kb=kb, prefix="add")],  # needs no digit label
    )
    pairs = data["train_images"]
    X = [[torch.as_tensor(p[0][None]), torch.as_tensor(p[1][None])] for p in pairs]
    Y = [int(s) for s in data["train_sums"]]
    t0 = time.perf_counter()
    bridge.train((X, None, Y), loops=loops, segment_size=segment_size)
    seconds = time.perf_counter() - t0
    net.eval()
    with torch.no_grad():
        images = torch.as_tensor(data["test_images"])
        digit_accuracy = float((net(images).argmax(1).numpy() == data["test_digits"]).mean())
        test = torch.as_tensor(data["test_pairs"])
        reads = net(test.reshape(-1, *test.shape[2:])).argmax(1).reshape(-1, 2).numpy()
        sum_accuracy = float((reads.sum(1) == data["test_sums"]).mean())
    print(
        json.dumps(
            {
                "learner": "ablkit",
                "seed": seed,
                "pairs": len(Y),
                "digit_labels": 0,
                "digit_accuracy": digit_accuracy,
                "sum_accuracy": sum_accuracy,
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
