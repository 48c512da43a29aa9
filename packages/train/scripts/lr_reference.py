"""Reference learning rates from PyTorch's OneCycleLR (python3-torch), for the one-cycle schedule tests.

Run: /usr/bin/python3 scripts/lr_reference.py > test/fixtures/lr-torch.json
"""
import json

import torch

CASES = [
    {"max_lr": 3e-3, "total_steps": 30, "pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4},
    {"max_lr": 0.01, "total_steps": 97, "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0},
    {"max_lr": 0.5, "total_steps": 5, "pct_start": 0.5, "div_factor": 5.0, "final_div_factor": 2.0},
]


def one_cycle(case):
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.Adam([param], lr=case["max_lr"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cycle_momentum=False, anneal_strategy="cos", **case)
    lrs = []
    for _ in range(case["total_steps"]):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return {"case": case, "lr": lrs}


print(json.dumps({"torch": torch.__version__, "oneCycle": [one_cycle(c) for c in CASES]}, indent=1))
