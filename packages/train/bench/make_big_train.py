"""Writes a 16^3 3D MNIST file of N training rows for the streaming bench, by tiling the seed file's rows.

Row i of X_train is seed row i % 10000 (as float32) and keeps that row's label, so labels stay consistent with the
volumes; X_test / y_test are the seed's 2000 test rows. Written in blocks: memory stays ~200 MB whatever N.

    /usr/bin/python3 bench/make_big_train.py SEED.h5 OUT.h5 N
"""
import sys

import h5py
import numpy as np

seed_path, out_path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
BLOCK = 10000
with h5py.File(seed_path, "r") as seed, h5py.File(out_path + ".tmp", "w") as out:
    sx, sy = seed["X_train"], seed["y_train"]
    n_seed = sx.shape[0]
    x = out.create_dataset("X_train", shape=(rows, sx.shape[1]), dtype="float32")
    y = out.create_dataset("y_train", shape=(rows,), dtype="int64")
    tile_x = sx[:].astype(np.float32)
    tile_y = sy[:]
    for start in range(0, rows, BLOCK):
        n = min(BLOCK, rows - start)
        src = (np.arange(start, start + n) % n_seed)
        x[start:start + n] = tile_x[src]
        y[start:start + n] = tile_y[src]
        print(f"\r{start + n}/{rows} rows", end="", file=sys.stderr, flush=True)
    out.create_dataset("X_test", data=seed["X_test"][:].astype(np.float32))
    out.create_dataset("y_test", data=seed["y_test"][:])
print(file=sys.stderr)
import os

os.replace(out_path + ".tmp", out_path)
