"""Writes the small HDF5 files the reader tests read (fixtures/h5/), with h5py as an independent writer.

Run with Debian's python3-h5py: /usr/bin/python3 scripts/make-h5-fixtures.py

Valid files hold the same rows in three encodings; row i, voxel j is c / max(c) with
c = (j * (i + 3)) % 11 when j % 5 == 0, else 0 (test/h5-fixture-data.ts recomputes it).
"""

import pathlib
import shutil

import h5py
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "h5"
ROWS = {"train": 3, "test": 2}
LABELS = {"train": [3, 0, 9], "test": [7, 1]}


def rows(n):
    j = np.arange(4096)
    counts = np.stack([np.where(j % 5 == 0, (j * (i + 3)) % 11, 0) for i in range(n)]).astype(np.int64)
    return counts / counts.max(axis=1, keepdims=True)


def write(name, x_dtype="<f8", y_dtype="<i8", compression=None, edit=None, skip=()):
    data = {}
    for split, n in ROWS.items():
        data[f"X_{split}"] = rows(n).astype(x_dtype)
        data[f"y_{split}"] = np.array(LABELS[split], dtype=y_dtype)
    if edit:
        edit(data)
    path = OUT / name
    with h5py.File(path, "w") as f:
        for key, value in data.items():
            if key in skip:
                continue
            f.create_dataset(key, data=value, compression=compression)
    return path


def set_value(key, index, value):
    def edit(data):
        data[key][index] = value

    return edit


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    # Valid files: Kaggle's dtypes uncompressed, gzip-compressed, and the narrow dtypes.
    good = write("f64-i64.h5")
    write("f64-i64-gzip.h5", compression="gzip")
    write("f32-i32.h5", x_dtype="<f4", y_dtype="<i4", compression="gzip")
    # Malformed files, one fault each.
    write("missing-y-test.h5", compression="gzip", skip=("y_test",))
    write("x-wrong-shape.h5", compression="gzip", edit=lambda d: d.update(X_train=d["X_train"][:, :4095]))
    write("y-wrong-shape.h5", compression="gzip", edit=lambda d: d.update(y_train=d["y_train"].reshape(3, 1)))
    write("x-int-dtype.h5", compression="gzip", edit=lambda d: d.update(X_train=d["X_train"].astype(np.int64)))
    write("y-float-dtype.h5", compression="gzip", edit=lambda d: d.update(y_test=d["y_test"].astype(np.float64)))
    write("x-nan.h5", compression="gzip", edit=set_value("X_train", (1, 40), np.nan))
    write("x-inf.h5", compression="gzip", edit=set_value("X_test", (0, 5), np.inf))
    write("x-above-one.h5", compression="gzip", edit=set_value("X_train", (2, 10), 1.5))
    write("y-label-10.h5", compression="gzip", edit=set_value("y_train", 1, 10))
    write("y-negative.h5", compression="gzip", edit=set_value("y_test", 0, -1))
    write("length-mismatch.h5", compression="gzip", edit=lambda d: d.update(y_train=d["y_train"][:2]))
    # A file cut short: the header survives, the raw data of the last datasets does not.
    blob = good.read_bytes()
    (OUT / "truncated.h5").write_bytes(blob[: len(blob) // 2])
    (OUT / "truncated-header.h5").write_bytes(blob[:1000])
    (OUT / "not-hdf5.h5").write_text("X_train,y_train\n0.5,3\n")
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


main()
