"""An independent reference for core's slidingWindow: MONAI's sliding_window_inference algorithm (monai 1.x,
monai/inferers/utils.py and monai/data/utils.py) in numpy, written as MONAI does it, whole-volume float32 arrays
and all, over the fake model the test uses too.

Usage: monai_sliding_window.py DIR. DIR/case.json holds size, channels, classes, roi, overlap, blend; DIR/volume.f32
the [D, H, W, C] float32 volume. Writes DIR/probabilities.f32 ([D, H, W, K] float32) and DIR/labels.i32."""

import json
import math
import sys

import numpy as np


def fake_model(windows):
    """[n, d, h, w, c] float32 -> [n, d, h, w, k] float32 softmax: depends on the position inside the window, so
    the blending weights matter. Computed in float64, rounded once, as the TypeScript twin does."""
    n, d, h, w, _ = windows.shape
    k = CASE["classes"]
    z, y, x = np.meshgrid(np.arange(d), np.arange(h), np.arange(w), indexing="ij")
    ks = np.arange(k, dtype=np.float64)
    v0 = windows[..., 0].astype(np.float64)[..., None]
    vl = windows[..., -1].astype(np.float64)[..., None]
    logits = np.sin((ks + 1) * v0 + 0.37 * z[None, ..., None] + 0.11 * ks * y[None, ..., None]
                    - 0.23 * x[None, ..., None] + 0.5 * vl * ks)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def scan_interval(image_size, roi_size, overlap):
    out = []
    for i in range(3):
        if roi_size[i] == image_size[i]:
            out.append(int(roi_size[i]))
        else:
            interval = int(roi_size[i] * (1 - overlap))
            out.append(interval if interval > 0 else 1)
    return out


def dense_patch_starts(image_size, patch_size, interval):
    scan_num = []
    for i in range(3):
        num = int(math.ceil(float(image_size[i]) / interval[i]))
        scan_dim = next((d for d in range(num) if d * interval[i] + patch_size[i] >= image_size[i]), None)
        scan_num.append(scan_dim + 1 if scan_dim is not None else 1)
    starts = []
    for dim in range(3):
        dim_starts = []
        for idx in range(scan_num[dim]):
            start = idx * interval[dim]
            start -= max(start + patch_size[dim] - image_size[dim], 0)
            dim_starts.append(start)
        starts.append(dim_starts)
    return np.asarray([g.flatten() for g in np.meshgrid(*starts, indexing="ij")]).T


def importance_map(patch_size, blend):
    if blend == "constant":
        return np.ones(patch_size, dtype=np.float32)
    sigmas = [p * 0.125 for p in patch_size]
    imp = None
    for i, p in enumerate(patch_size):
        x = np.arange(-(p - 1) / 2.0, (p - 1) / 2.0 + 1, dtype=np.float32)
        x = np.exp(x ** 2 / np.float32(-2 * sigmas[i] ** 2)).astype(np.float32)
        imp = x if i == 0 else (imp[..., None] * x.reshape((1,) * i + (p,))).astype(np.float32)
    min_non_zero = max(float(imp.min()), 1e-3)
    return np.maximum(imp, np.float32(min_non_zero)).astype(np.float32)


def sliding_window(volume, roi, overlap, blend, batch):
    size = volume.shape[:3]
    pads = []
    for k in range(3):
        diff = max(roi[k] - size[k], 0)
        pads.append((diff // 2, diff - diff // 2))
    image = np.pad(volume, pads + [(0, 0)], mode="constant", constant_values=0)
    image_size = image.shape[:3]
    starts = dense_patch_starts(image_size, roi, scan_interval(image_size, roi, overlap))
    imp = importance_map(tuple(roi), blend)[..., None]
    k = CASE["classes"]
    out = np.zeros(image_size + (k,), dtype=np.float32)
    count = np.zeros(image_size + (1,), dtype=np.float32)
    for first in range(0, len(starts), batch):
        group = starts[first:first + batch]
        windows = np.stack([image[a:a + roi[0], b:b + roi[1], c:c + roi[2]] for a, b, c in group])
        probs = fake_model(windows)
        for (a, b, c), p in zip(group, probs):
            out[a:a + roi[0], b:b + roi[1], c:c + roi[2]] += imp * p
            count[a:a + roi[0], b:b + roi[1], c:c + roi[2]] += imp
    out = out / count
    crop = tuple(slice(pads[i][0], pads[i][0] + size[i]) for i in range(3))
    return out[crop]


if __name__ == "__main__":
    folder = sys.argv[1]
    CASE = json.load(open(f"{folder}/case.json"))
    d, h, w = CASE["size"]
    vol = np.fromfile(f"{folder}/volume.f32", dtype=np.float32).reshape(d, h, w, CASE["channels"])
    result = sliding_window(vol, CASE["roi"], CASE["overlap"], CASE["blend"], 2)
    result.astype(np.float32).tofile(f"{folder}/probabilities.f32")
    np.argmax(result, axis=-1).astype(np.int32).tofile(f"{folder}/labels.i32")
