#!/usr/bin/python3
"""The PyTorch 1.13 reference of the segmentation benchmark: seg_models.py's U-Net (the same weights, from
unet.npz) over a volume in MONAI's sliding windows (monai.inferers.sliding_window_inference's algorithm: scan
interval int(roi · (1 − overlap)), the last window pulled back inside, a Gaussian importance map with sigma_scale
0.125 clamped at 1e-3, windows batched sw_batch_size at a time, float32 sums over the whole volume, division by the
summed weights, argmax), as a PyTorch user without MONAI would write it (MONAI is not in Debian).

Usage: torch_sliding_window.py unet.npz VOLUME.f32 D H W ROI OVERLAP BATCH THREADS [LABELS_OUT.u8]
THREADS: torch.set_num_threads (torch 1.13 here defaults to 1; onnxruntime uses one per core).
Prints one JSON line: seconds and CPU seconds (the sliding window alone), peak RSS in bytes (ru_maxrss), threads.
"""

import json
import math
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def unet(weights):
    w = {k: torch.from_numpy(v) for k, v in weights.items()}

    def block(x, name):
        return F.relu(F.conv3d(x, w[f"{name}_w"], w[f"{name}_b"], padding=1))

    def forward(x):
        e1 = block(block(x, "e1a"), "e1b")
        e2 = block(block(F.max_pool3d(e1, 2), "e2a"), "e2b")
        d = block(block(torch.cat([e1, F.interpolate(e2, scale_factor=2, mode="nearest")], 1), "d1a"), "d1b")
        return torch.softmax(F.conv3d(d, w["out_w"], w["out_b"]), dim=1)

    return forward


def starts(image, roi, overlap):
    interval = roi if roi == image else max(1, int(roi * (1 - overlap)))
    num = int(math.ceil(image / interval))
    count = next((d + 1 for d in range(num) if d * interval + roi >= image), 1)
    return [min(d * interval, image - roi) for d in range(count)]


def gaussian(roi):
    x = torch.arange(-(roi - 1) / 2.0, (roi - 1) / 2.0 + 1, dtype=torch.float)
    g = torch.exp(x ** 2 / (-2 * (roi * 0.125) ** 2))
    imp = g[:, None, None] * g[None, :, None] * g[None, None, :]
    return torch.clamp(imp, min=max(imp.min().item(), 1e-3))


@torch.no_grad()
def sliding_window(model, image, roi, overlap, batch, classes):
    _, _, d, h, w = image.shape
    windows = [(a, b, c) for a in starts(d, roi, overlap) for b in starts(h, roi, overlap) for c in starts(w, roi, overlap)]
    imp = gaussian(roi)
    out = torch.zeros((1, classes, d, h, w))
    count = torch.zeros((1, 1, d, h, w))
    for first in range(0, len(windows), batch):
        group = windows[first:first + batch]
        probs = model(torch.cat([image[:, :, a:a + roi, b:b + roi, c:c + roi] for a, b, c in group]))
        for (a, b, c), p in zip(group, probs):
            out[0, :, a:a + roi, b:b + roi, c:c + roi] += imp * p
            count[0, 0, a:a + roi, b:b + roi, c:c + roi] += imp
    return (out / count).argmax(1)[0], len(windows)


if __name__ == "__main__":
    npz, volume, d, h, w, roi, overlap, batch, threads = sys.argv[1:10]
    d, h, w, roi, batch = int(d), int(h), int(w), int(roi), int(batch)
    torch.set_num_threads(int(threads))
    model = unet(dict(np.load(npz)))
    image = torch.from_numpy(np.fromfile(volume, dtype=np.float32).reshape(1, 1, d, h, w))
    cpu = lambda u: u.ru_utime + u.ru_stime  # noqa: E731
    cpu_before = cpu(resource.getrusage(resource.RUSAGE_SELF))
    started = time.perf_counter()
    labels, windows = sliding_window(model, image, roi, float(overlap), batch, 3)
    seconds = time.perf_counter() - started
    cpu_seconds = cpu(resource.getrusage(resource.RUSAGE_SELF)) - cpu_before
    if len(sys.argv) > 10:
        labels.to(torch.uint8).numpy().tofile(sys.argv[10])
    print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "maxRss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "threads": torch.get_num_threads(), "windows": windows}))
