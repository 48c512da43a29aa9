"""The PyTorch side of the step benchmarks' protocol (bench/interleaved.mjs): the thread count, one
JSON line describing the model, then one training step per "step" line on stdin, answered with one
JSON line of its wall and CPU time and the peak RSS. Shared by torch_step.py and torch_unet_step.py.
"""
import json
import os
import re
import resource
import sys
import time
from typing import Callable

import torch


def set_threads(threads: int) -> None:
    # Same core count as our backend: this torch build's default here is 1 thread.
    torch.set_num_threads(threads if threads > 0 else len(os.sched_getaffinity(0)))


def cpu_capability() -> str:
    match = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    return match.group(1) if match else "unknown"


def serve(model: torch.nn.Module, loss_of: Callable[[torch.nn.Module], torch.Tensor], info: dict) -> None:
    """Adam (lr 1e-3) steps on loss_of(model), timed, one per "step" line, until stdin ends."""
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> dict:
        start, cpu_start = time.perf_counter(), time.process_time()
        optimizer.zero_grad()
        loss = loss_of(model)
        loss.backward()
        optimizer.step()
        return {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu_start,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "loss": loss.item()}

    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "capability": cpu_capability(),
                      "parameters": sum(p.numel() for p in model.parameters()), **info}), flush=True)
    for line in sys.stdin:
        if line.strip() != "step":
            break
        print(json.dumps(step()), flush=True)
