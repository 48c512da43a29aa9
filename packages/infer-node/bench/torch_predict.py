#!/usr/bin/python3
"""PyTorch CPU reference for bench/predict.ts: the same seed-architecture model and weights (seed-model.npz from
scripts/make-test-model.py --seed-arch), timed on the same preprocessed NDHWC float32 batch.

usage: torch_predict.py WEIGHTS.npz INPUT.f32 BATCH RUNS OUTPUT.f32 THREADS
Prints one JSON line: {"median_ms": ..., "times_ms": [...], "threads": ...}; writes the probabilities to OUTPUT.f32.
"""

import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn


class Seed(nn.Module):
    """Input NDHWC like the ONNX model; channels-last flatten before the dense layers, as tfjs does."""

    def __init__(self, w):
        super().__init__()
        self.conv0 = nn.Conv3d(3, 32, 3)
        self.conv1 = nn.Conv3d(32, 64, 3)
        self.dense0 = nn.Linear(512, 256)
        self.dense1 = nn.Linear(256, 10)
        with torch.no_grad():
            for name in ("conv0", "conv1"):
                getattr(self, name).weight.copy_(torch.from_numpy(w[f"{name}.w"]))
                getattr(self, name).bias.copy_(torch.from_numpy(w[f"{name}.b"]))
            for name in ("dense0", "dense1"):
                getattr(self, name).weight.copy_(torch.from_numpy(w[f"{name}.w"].T.copy()))
                getattr(self, name).bias.copy_(torch.from_numpy(w[f"{name}.b"]))

    def forward(self, x):
        x = x.permute(0, 4, 1, 2, 3)
        x = nn.functional.max_pool3d(torch.relu(self.conv0(x)), 2)
        x = nn.functional.max_pool3d(torch.relu(self.conv1(x)), 2)
        x = x.permute(0, 2, 3, 4, 1).flatten(1)
        return torch.softmax(self.dense1(torch.relu(self.dense0(x))), dim=1)


def main():
    weights, input_path, output_path = sys.argv[1], sys.argv[2], sys.argv[5]
    batch, runs, threads = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[6])
    # Debian's torch starts with one OpenMP thread here; give it the cores onnxruntime uses.
    torch.set_num_threads(threads)
    model = Seed(np.load(weights)).eval()
    x = torch.from_numpy(np.fromfile(input_path, dtype=np.float32).reshape(batch, 16, 16, 16, 3))
    times = []
    with torch.inference_mode():
        for _ in range(3):
            model(x)
        for _ in range(runs):
            start = time.perf_counter()
            probs = model(x)
            times.append((time.perf_counter() - start) * 1000)
    tmp = f"{output_path}.tmp-{os.getpid()}"
    probs.numpy().astype(np.float32).tofile(tmp)
    os.replace(tmp, output_path)
    print(json.dumps({"median_ms": float(np.median(times)), "times_ms": times, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
