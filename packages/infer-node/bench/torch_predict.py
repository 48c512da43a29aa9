#!/usr/bin/python3
"""PyTorch CPU reference for bench/predict.ts: the same seed-architecture model and weights (seed-model.npz from
scripts/make-test-model.py --seed-arch), timed on the same preprocessed NDHWC float32 batch.

usage: torch_predict.py WEIGHTS.npz INPUT.f32 BATCH THREADS
Then a line protocol on stdin, so the benchmark can interleave PyTorch runs with its own:
  run          -> one forward pass; prints its time in ms
  save PATH    -> writes the last probabilities as float32 to PATH; prints "saved"
Prints "ready" once the model is loaded and warmed up.
"""

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
    weights, input_path, batch, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    # Debian's torch starts with one OpenMP thread here; give it the cores onnxruntime uses.
    torch.set_num_threads(threads)
    model = Seed(np.load(weights)).eval()
    x = torch.from_numpy(np.fromfile(input_path, dtype=np.float32).reshape(batch, 16, 16, 16, 3))
    with torch.inference_mode():
        for _ in range(3):
            probs = model(x)
        print("ready", flush=True)
        for line in sys.stdin:
            command = line.split()
            if command == ["run"]:
                start = time.perf_counter()
                probs = model(x)
                print((time.perf_counter() - start) * 1000, flush=True)
            elif len(command) == 2 and command[0] == "save":
                tmp = f"{command[1]}.tmp-{os.getpid()}"
                probs.numpy().astype(np.float32).tofile(tmp)
                os.replace(tmp, command[1])
                print("saved", flush=True)
            else:
                sys.exit(f"torch_predict.py: unknown command {line.strip()!r}")


if __name__ == "__main__":
    main()
