"""Writes fixtures/shapes/shapes-12x10x8.h5: a second dataset that differs from 3D MNIST in everything, for the
any-volume tests (read, train, export, both runtimes). h5py is the writer, independent of ours.

Run with Debian's numpy and h5py: /usr/bin/python3 scripts/make-shapes-fixture.py [--out FILE]

- grid D x H x W = 12 x 10 x 8 (not a cube, not 16), one channel, stored as (N, D, H, W) float32 with
  `labels` = ["sphere", "cube", "torus", "rod"] on the file (K = 4, classes in turn: balanced);
- 600 train and 200 test samples, one numpy PCG64 stream (seed 12): each sample is one solid with a random
  centre, size and orientation (cubes tilted by at most 20 degrees), drawn with soft edges (occupancy = sigmoid(-4 * signed distance)), plus Gaussian
  noise (sd 0.1), rounded to multiples of 1/256 (so gzip can shrink it) and stored as float32;
- no `grid` attribute: the shape says it.
"""

import argparse
import pathlib

import h5py
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "shapes" / "shapes-12x10x8.h5"
GRID = (12, 10, 8)
LABELS = ["sphere", "cube", "torus", "rod"]
COUNTS = {"train": 600, "test": 200}
SEED = 12
NOISE = 0.1
EDGE = 4.0


def random_rotation(rng):
    """A uniformly random 3x3 rotation (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def tilt(rng, limit):
    """A rotation by angles uniform in +-limit (radians) about each axis."""
    a, b, c = rng.uniform(-limit, limit, size=3)
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rz @ ry @ rx


def signed_distance(kind, p, rng):
    """Signed distance (negative inside) of a random solid of `kind` at points p (..., 3), centred at 0."""
    if kind == "sphere":
        return np.linalg.norm(p, axis=-1) - rng.uniform(1.8, 3.2)
    if kind == "cube":
        half = rng.uniform(2.0, 3.0)
        # tilted by at most 20 degrees: faces roughly along the grid, or at this size it looks like a sphere
        q = np.abs(p @ tilt(rng, np.deg2rad(20))) - half
        return np.linalg.norm(np.maximum(q, 0), axis=-1) + np.minimum(q.max(axis=-1), 0)
    if kind == "torus":
        big, small = rng.uniform(2.4, 3.4), rng.uniform(0.7, 1.1)
        q = p @ random_rotation(rng)
        ring = np.linalg.norm(q[..., :2], axis=-1) - big
        return np.sqrt(ring**2 + q[..., 2] ** 2) - small
    if kind == "rod":
        half_length, radius = rng.uniform(3.0, 5.0), rng.uniform(0.7, 1.2)
        q = p @ random_rotation(rng)
        radial = np.linalg.norm(q[..., :2], axis=-1) - radius
        along = np.abs(q[..., 2]) - half_length
        outside = np.linalg.norm(np.maximum(np.stack([radial, along], -1), 0), axis=-1)
        return outside + np.minimum(np.maximum(radial, along), 0)
    raise ValueError(kind)


def sample(kind, rng):
    d, h, w = GRID
    centre = np.array([rng.uniform(4, d - 5), rng.uniform(3.5, h - 4.5), rng.uniform(3, w - 4)])
    zz, yy, xx = np.meshgrid(np.arange(d), np.arange(h), np.arange(w), indexing="ij")
    p = np.stack([zz, yy, xx], axis=-1) + 0.5 - centre
    occupancy = 1 / (1 + np.exp(EDGE * signed_distance(kind, p, rng)))
    noisy = occupancy + rng.normal(0, NOISE, size=occupancy.shape)
    return np.round(noisy * 256) / 256


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    out = parser.parse_args().out
    rng = np.random.Generator(np.random.PCG64(SEED))
    out.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(out, "w") as f:
        for split, n in COUNTS.items():
            y = np.arange(n) % len(LABELS)
            rng.shuffle(y)
            x = np.stack([sample(LABELS[k], rng) for k in y]).astype("<f4")
            f.create_dataset(f"X_{split}", data=x, chunks=(50, *GRID), compression="gzip", compression_opts=9)
            f.create_dataset(f"y_{split}", data=y.astype("<i8"))
        f.attrs["labels"] = LABELS
    print(f"wrote {out} ({out.stat().st_size} bytes)")


main()
