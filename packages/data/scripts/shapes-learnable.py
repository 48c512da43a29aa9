"""Checks that fixtures/shapes/shapes-12x10x8.h5 is learnable: a small 3D CNN in PyTorch (Debian's python3-torch),
trained a few epochs on X_train, scored on X_test. Prints the test accuracy per epoch (seeded, CPU).

Run: /usr/bin/python3 scripts/shapes-learnable.py [--epochs N]
"""

import argparse
import pathlib
import time

import h5py
import numpy as np
import torch
from torch import nn

FILE = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "shapes" / "shapes-12x10x8.h5"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    with h5py.File(FILE, "r") as f:
        labels = list(f.attrs["labels"])
        x_train, y_train = torch.tensor(f["X_train"][:])[:, None], torch.tensor(f["y_train"][:])
        x_test, y_test = torch.tensor(f["X_test"][:])[:, None], torch.tensor(f["y_test"][:])
    model = nn.Sequential(
        nn.Conv3d(1, 16, 3), nn.ReLU(), nn.Conv3d(16, 16, 3), nn.ReLU(), nn.MaxPool3d(2),
        nn.Flatten(), nn.Linear(16 * 4 * 3 * 2, 64), nn.ReLU(), nn.Linear(64, len(labels)),
    )
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    started = time.perf_counter()
    for epoch in range(args.epochs):
        order = torch.randperm(len(y_train))
        for start in range(0, len(order), 32):
            batch = order[start : start + 32]
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimiser.step()
        with torch.no_grad():
            accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch + 1}: test accuracy {accuracy:.4f}")
    with torch.no_grad():
        predicted = model(x_test).argmax(1)
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    for t, p in zip(y_test.tolist(), predicted.tolist()):
        confusion[t, p] += 1
    print("confusion (rows true, columns predicted):")
    for name, row in zip(labels, confusion):
        print(f"  {name:>8} {' '.join(f'{v:4d}' for v in row)}")
    print(f"{args.epochs} epochs in {time.perf_counter() - started:.1f} s; classes {labels}")


main()
