"""PyTorch CPU reference for bench/step.mjs, run as a step server so the two can be interleaved.

Builds the same model as ours (--model seed: the seed tutorial's; --model issue14: the accuracy
issue's width-24 stack of 'same' Conv + BatchNorm + ReLU blocks with two max-pools, global
average pooling, Dropout 0.3 and Dense(10)), prints one JSON line describing itself, then for
every "step" line on stdin runs one training step (softmax cross-entropy, Adam lr 1e-3) at the
given batch and answers with one JSON line of its wall and CPU time. Run with Debian's
/usr/bin/python3 (python3-torch 1.13).
"""
import argparse

import torch
from step_server import serve, set_threads
from torch import nn

# The issue-14 stack: b = 3x3x3 'same' Conv (no bias: BatchNorm follows) + BatchNorm + ReLU, p = MaxPool3d(2).
ISSUE14_PLAN = ["b", "b", "p", "b", "b", "p", "b"]


def seed_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv3d(3, 32, 3), nn.ReLU(), nn.MaxPool3d(2),
        nn.Conv3d(32, 64, 3), nn.ReLU(), nn.MaxPool3d(2),
        nn.Flatten(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10),
    )


def issue14_model(width: int) -> nn.Module:
    layers: list[nn.Module] = []
    channels = 3
    for item in ISSUE14_PLAN:
        if item == "p":
            layers.append(nn.MaxPool3d(2))
            continue
        # Keras's BatchNormalization defaults (momentum 0.99, epsilon 1e-3), as our tfjs layer uses.
        layers += [nn.Conv3d(channels, width, 3, padding=1, bias=False),
                   nn.BatchNorm3d(width, eps=1e-3, momentum=0.01), nn.ReLU()]
        channels = width
    layers += [nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(width, 10)]
    return nn.Sequential(*layers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["seed", "issue14"], default="seed")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--width", type=int, default=24)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    set_threads(args.threads)
    torch.manual_seed(0)
    model = seed_model() if args.model == "seed" else issue14_model(args.width)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(args.batch, 3, 16, 16, 16)
    y = torch.randint(0, 10, (args.batch,))
    serve(model, lambda m: loss_fn(m(x), y), {"model": args.model})

if __name__ == "__main__":
    main()
