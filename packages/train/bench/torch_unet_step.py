"""PyTorch CPU reference for bench/unet-step.mjs, run as a step server so the two can be interleaved.

The same 3-level 3D U-Net (16/32/64 channels; per level two 3x3x3 'same' Conv (no bias) + BatchNorm
+ ReLU; MaxPool3d(2) down; ConvTranspose3d(c, c, 2, stride 2) up; skips concatenated on the channel
axis; a final 1x1x1 Conv to K classes), batch 8 of 1x32^3, soft Dice + per-voxel cross-entropy on
integer labels (MONAI's DiceCELoss defaults, written here in torch ops: MONAI is not installed),
Adam lr 1e-3. Prints one JSON line describing itself, then answers every "step" line on stdin with
one JSON line of that step's wall and CPU time. Run with Debian's /usr/bin/python3 (python3-torch 1.13).
"""
import argparse

import torch
import torch.nn.functional as F
from step_server import serve, set_threads
from torch import nn

LEVELS = [16, 32, 64]


def block(cin: int, cout: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    for c in (cin, cout):
        # Keras's BatchNormalization defaults (momentum 0.99, epsilon 1e-3), as our tfjs layer uses.
        layers += [nn.Conv3d(c, cout, 3, padding=1, bias=False), nn.BatchNorm3d(cout, eps=1e-3, momentum=0.01),
                   nn.ReLU()]
    return nn.Sequential(*layers)


class UNet(nn.Module):
    def __init__(self, classes: int) -> None:
        super().__init__()
        self.down = nn.ModuleList()
        channels = 1
        for width in LEVELS:
            self.down.append(block(channels, width))
            channels = width
        self.ups = nn.ModuleList()
        self.up_blocks = nn.ModuleList()
        for width in reversed(LEVELS[:-1]):
            self.ups.append(nn.ConvTranspose3d(channels, channels, 2, stride=2))
            self.up_blocks.append(block(channels + width, width))
            channels = width
        self.head = nn.Conv3d(channels, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, level in enumerate(self.down):
            x = level(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = F.max_pool3d(x, 2)
        for up, level in zip(self.ups, self.up_blocks):
            x = level(torch.cat([up(x), skips.pop()], dim=1))
        return self.head(x)


def dice_ce(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """MONAI's DiceCELoss(to_onehot_y=True, softmax=True) with its defaults."""
    target = F.one_hot(labels, logits.shape[1]).permute(0, 4, 1, 2, 3).float()
    p = logits.softmax(1)
    spatial = [2, 3, 4]
    intersection = (p * target).sum(spatial)
    denominator = p.sum(spatial) + target.sum(spatial)
    dice = 1 - (2 * intersection + 1e-5) / (denominator + 1e-5)
    return dice.mean() + F.cross_entropy(logits, labels)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    set_threads(args.threads)
    torch.manual_seed(0)
    model = UNet(args.classes)
    x = torch.rand(args.batch, 1, args.size, args.size, args.size)
    y = torch.randint(0, args.classes, (args.batch, args.size, args.size, args.size))
    serve(model, lambda m: dice_ce(m(x), y), {})


if __name__ == "__main__":
    main()
