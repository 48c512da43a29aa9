#!/usr/bin/python3
"""The PyTorch 1.13 reference for configs/unet3d.json: the same 3-level U-Net (16/32/64, Conv-BN-ReLU x2 per level,
2x2x2 stride-2 ConvTranspose, skip concatenation, 1x1x1 softmax), the same loss (soft Dice + cross-entropy, MONAI's
DiceCELoss defaults), Adam, batch, epochs, validation split (the last 20 % of the training rows), per-volume min-max
scaling and random flips, on the same HDF5 file read with h5py. Prints one JSON line: mean foreground Dice on the
test rows (per volume, averaged over the volumes holding each class, as conv3d-train reports it), per-class Dice,
wall time, seconds per epoch and peak RSS.

usage: /usr/bin/python3 bench/torch_unet_train.py DATA.h5 [--epochs 15] [--batch 8] [--lr 3e-3] [--seed 21]
"""
import argparse
import json
import resource
import time

import h5py
import numpy as np
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument('data')
p.add_argument('--epochs', type=int, default=15)
p.add_argument('--batch', type=int, default=8)
p.add_argument('--lr', type=float, default=3e-3)
p.add_argument('--seed', type=int, default=21)
p.add_argument('--threads', type=int, default=2)
args = p.parse_args()
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
torch.set_num_threads(args.threads)


def minmax(x):
    lo = x.min(axis=(1, 2, 3), keepdims=True)
    hi = x.max(axis=(1, 2, 3), keepdims=True)
    return ((x - lo) / np.where(hi > lo, hi - lo, 1)).astype(np.float32)


with h5py.File(args.data, 'r') as f:
    x_train, y_train = minmax(f['X_train'][:]), f['y_train'][:].astype(np.int64)
    x_test, y_test = minmax(f['X_test'][:]), f['y_test'][:].astype(np.int64)
    classes = len(f.attrs['labels'])
split = int(len(x_train) * 0.8)
x_val, y_val = x_train[split:], y_train[split:]
x_train, y_train = x_train[:split], y_train[:split]


def block(cin, cout):
    # As configs/unet3d.json: tfjs BatchNormalization's epsilon 1e-3, momentum 0.9 there (torch's 0.1, its default).
    layers = []
    for c in (cin, cout):
        conv = nn.Conv3d(c, cout, 3, padding=1, bias=False)
        nn.init.kaiming_uniform_(conv.weight, nonlinearity='relu')
        layers += [conv, nn.BatchNorm3d(cout, eps=1e-3, momentum=0.1), nn.ReLU()]
    return nn.Sequential(*layers)


class UNet(nn.Module):
    def __init__(self, widths=(16, 32, 64)):
        super().__init__()
        a, b, c = widths
        self.enc1, self.enc2, self.enc3 = block(1, a), block(a, b), block(b, c)
        self.pool = nn.MaxPool3d(2)
        self.up2, self.dec2 = nn.ConvTranspose3d(c, b, 2, stride=2), block(2 * b, b)
        self.up1, self.dec1 = nn.ConvTranspose3d(b, a, 2, stride=2), block(2 * a, a)
        self.out = nn.Conv3d(a, classes, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        e3 = self.enc3(self.pool(e2))
        d2 = self.dec2(torch.cat([self.up2(e3), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.out(d1)


def dice_ce(logits, y):
    p = torch.softmax(logits, 1)
    g = nn.functional.one_hot(y, classes).permute(0, 4, 1, 2, 3).float()
    dims = (2, 3, 4)
    dice = 1 - (2 * (p * g).sum(dims) + 1e-5) / (p.sum(dims) + g.sum(dims) + 1e-5)
    return dice.mean() + nn.functional.cross_entropy(logits, y)


def scores(model, x, y):
    """Dice per class: per volume 2|P∩G| / (|P| + |G|), averaged over the volumes whose truth holds the class."""
    model.eval()
    sums, counts = np.zeros(classes), np.zeros(classes)
    with torch.no_grad():
        for s in range(0, len(x), args.batch):
            pred = model(torch.from_numpy(x[s:s + args.batch, None])).argmax(1).numpy()
            for t, q in zip(y[s:s + args.batch], pred):
                for k in range(classes):
                    truth = (t == k).sum()
                    if truth == 0:
                        continue
                    sums[k] += 2 * ((t == k) & (q == k)).sum() / (truth + (q == k).sum())
                    counts[k] += 1
    model.train()
    dice = sums / np.maximum(counts, 1)
    return dice, float(dice[1:].mean())


model = UNet()
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, eps=1e-7)
t0 = time.perf_counter()
epoch_seconds = []
for epoch in range(args.epochs):
    e0 = time.perf_counter()
    order = rng.permutation(len(x_train))
    total = 0.0
    for s in range(0, len(order), args.batch):
        idx = order[s:s + args.batch]
        xb, yb = x_train[idx].copy(), y_train[idx].copy()
        for n in range(len(idx)):
            for axis in (1, 2, 3):
                if rng.random() < 0.5:
                    xb[n] = np.flip(xb[n], axis - 1)
                    yb[n] = np.flip(yb[n], axis - 1)
        logits = model(torch.from_numpy(xb[:, None].copy()))
        loss = dice_ce(logits, torch.from_numpy(yb.copy()))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    _, val_dice = scores(model, x_val, y_val)
    epoch_seconds.append(time.perf_counter() - e0)
    print(f'epoch {epoch + 1}/{args.epochs} - {epoch_seconds[-1]:.1f}s - loss {total / len(order):.4f} - '
          f'val_dice {val_dice:.4f}', flush=True)
dice, mean_dice = scores(model, x_test, y_test)
print(json.dumps({
    'framework': f'pytorch {torch.__version__}',
    'test_mean_foreground_dice': mean_dice,
    'test_dice_per_class': dice.tolist(),
    'wall_seconds': time.perf_counter() - t0,
    'epoch_seconds': epoch_seconds,
    'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
