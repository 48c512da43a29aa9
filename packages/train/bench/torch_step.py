"""PyTorch CPU reference for bench/step.mjs: the seed model's training step at the same batch.

Conv3d(3→32, 3) relu → MaxPool3d(2) → Conv3d(32→64, 3) relu → MaxPool3d(2) → Flatten →
Linear(512→256) relu → Linear(256→10); softmax cross-entropy; Adam(lr=1e-3). Prints one JSON line.
Run with Debian's /usr/bin/python3 (python3-torch 1.13).
"""
import argparse
import json
import os
import resource
import statistics
import time

import torch
from torch import nn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=7)
    # Same core count as our backend: this torch build's default here is 1 thread.
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv3d(3, 32, 3), nn.ReLU(), nn.MaxPool3d(2),
        nn.Conv3d(32, 64, 3), nn.ReLU(), nn.MaxPool3d(2),
        nn.Flatten(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(args.batch, 3, 16, 16, 16)
    y = torch.randint(0, 10, (args.batch,))

    def step() -> tuple[float, float]:
        start, cpu_start = time.perf_counter(), time.process_time()
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return time.perf_counter() - start, time.process_time() - cpu_start

    for _ in range(args.warmup):
        step()
    measured = [step() for _ in range(args.steps)]
    times = [wall for wall, _ in measured]
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "median_s": statistics.median(times),
        "times_s": times,
        "cpu_median_s": statistics.median(cpu for _, cpu in measured),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
