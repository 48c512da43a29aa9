"""Writes the small HDF5 files the reader tests read (fixtures/h5/), with h5py as an independent writer.

Run with Debian's python3-h5py: /usr/bin/python3 scripts/make-h5-fixtures.py

Valid files hold the same rows in three encodings; row i, voxel j is c / max(c) with
c = (j * (i + 3)) % 11 when j % 5 == 0, else 0 (test/h5-fixture-data.ts recomputes it).

The general files (any grid, dtype and label set) hold a 3x4x5 grid: row i, value j is
VALUE[dtype](c) with c = (j * (i + 3)) % 11, stored as flat rows, (N, D, H, W) or (N, D, H, W, C).
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


def write(name, x_dtype="<f8", y_dtype="<i8", compression=None, edit=None, skip=(), labels=None):
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
        if labels:
            f.attrs["labels"] = labels
    return path


GRID = (3, 4, 5)
V = 3 * 4 * 5
# Per dtype, c in 0..10 -> a value that dtype holds exactly, negative where it can be (test/h5-fixture-data.ts).
VALUE = {
    "<f2": lambda c: (c - 3) / 4,
    ">f2": lambda c: (c - 3) / 4,
    "<f4": lambda c: (c - 3) / 4,
    ">f4": lambda c: (c - 3) / 4,
    "<f8": lambda c: (c - 3) / 4,
    "|i1": lambda c: c * 12 - 60,
    "|u1": lambda c: c * 25,
    "<i2": lambda c: c * 3000 - 15000,
    "<u2": lambda c: c * 6000,
}


def general_rows(n, x_dtype, channels=1):
    j = np.arange(V * channels)
    c = np.stack([(j * (i + 3)) % 11 for i in range(n)])
    return VALUE[x_dtype](c).astype(x_dtype)


def write_general(name, x_dtype="<f4", y_dtype="<i8", shape="flat", channels=1, file_attrs=None,
                  x_attrs=None, y_attrs=None, names=None, edit=None):
    """A 3x4x5 file; `shape` 'flat' stores (N, V*C) rows, 'grid' (N, 3, 4, 5[, C])."""
    names = names or {"X_train": "X_train", "y_train": "y_train", "X_test": "X_test", "y_test": "y_test"}
    data = {}
    for split, n in ROWS.items():
        x = general_rows(n, x_dtype, channels)
        if shape == "grid":
            x = x.reshape((n, *GRID) + ((channels,) if channels > 1 else ()))
        data[f"X_{split}"] = x
        data[f"y_{split}"] = np.array(LABELS[split], dtype=y_dtype)
    if edit:
        edit(data)
    with h5py.File(OUT / name, "w") as f:
        for key, value in data.items():
            ds = f.create_dataset(names[key], data=value)
            for k, v in ((x_attrs if key.startswith("X") else y_attrs) or {}).items():
                ds.attrs[k] = v
        for k, v in (file_attrs or {}).items():
            f.attrs[k] = v


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
    write("y-label-10.h5", compression="gzip", edit=set_value("y_train", 1, 10), labels=[str(k) for k in range(10)])
    write("y-negative.h5", compression="gzip", edit=set_value("y_test", 0, -1))
    write("length-mismatch.h5", compression="gzip", edit=lambda d: d.update(y_train=d["y_train"][:2]))
    # General files: every X dtype (each with another y dtype), the three X shapes, named labels and datasets.
    grid_attr = {"grid": list(GRID)}
    digits = [f"d{k}" for k in range(10)]
    for x_dtype, y_dtype, tag in [
        ("<f2", "|u1", "f16"),
        (">f2", "|u1", "f16be"),
        ("<f4", "|i1", "f32"),
        (">f4", "<i2", "f32be"),
        ("<f8", "<u8", "f64"),
        ("|i1", "<i2", "i8"),
        ("|u1", "<u2", "u8"),
        ("<i2", "<i8", "i16"),
        ("<u2", "<u4", "u16"),
    ]:
        write_general(f"general-{tag}.h5", x_dtype, y_dtype, file_attrs=grid_attr)
    write_general("general-4d.h5", shape="grid", y_attrs={"labels": digits})
    write_general("general-5d.h5", shape="grid", channels=2, file_attrs={"labels": digits})
    write_general("general-grid-on-x.h5", channels=2, x_attrs={"grid": [3, 4, 5, 2]})
    write_general("general-grid-text.h5", file_attrs={"grid": "3,4,5", "labels": ",".join(digits)})
    write_general("general-no-grid.h5")
    write_general(
        "general-named.h5",
        shape="grid",
        names={"X_train": "train/voxels", "y_train": "train/labels", "X_test": "test/voxels", "y_test": "test/labels"},
    )
    # Malformed general files, one fault each.
    write_general("grid-not-dividing.h5", file_attrs={"grid": [4, 4, 4]})
    write_general("grid-attr-bad.h5", file_attrs={"grid": "sixteen"})
    write_general("grid-conflict.h5", x_attrs={"grid": [3, 4, 5]}, file_attrs={"grid": [5, 4, 3]})
    write_general("grid-vs-shape.h5", shape="grid", file_attrs={"grid": [3, 5, 4]})
    write_general(
        "splits-differ.h5", shape="grid", edit=lambda d: d.update(X_test=np.zeros((2, 4, 4, 4), dtype="<f4"))
    )
    write_general("x-rank-3.h5", edit=lambda d: d.update(X_train=d["X_train"].reshape(3, 6, 10)))
    write_general("too-few-names.h5", shape="grid", y_attrs={"labels": ["a", "b", "c"]})
    write_general("labels-conflict.h5", shape="grid", y_attrs={"labels": digits}, file_attrs={"labels": digits[::-1]})
    write_general("labels-repeated.h5", shape="grid", file_attrs={"labels": ["a"] * 10})
    write_general("labels-attr-bad.h5", shape="grid", file_attrs={"labels": [1, 2, 3]})
    write_general("one-class.h5", shape="grid", edit=lambda d: d.update(y_train=d["y_train"] * 0, y_test=d["y_test"] * 0))
    write_general("y-huge.h5", shape="grid", edit=set_value("y_test", 1, 2**40))
    write_general("f16-nan.h5", "<f2", file_attrs=grid_attr, edit=set_value("X_test", (1, 7), np.nan))
    write_general("f16-inf.h5", "<f2", file_attrs=grid_attr, edit=set_value("X_train", (2, 59), -np.inf))
    write_general("x-u32-dtype.h5", "<u2", file_attrs=grid_attr, edit=lambda d: d.update(X_test=d["X_test"].astype("<u4")))
    with h5py.File(OUT / "ragged.h5", "w") as f:
        ragged = f.create_dataset("X_train", (3,), dtype=h5py.vlen_dtype(np.float32))
        for i in range(3):
            ragged[i] = np.zeros(60 + i, dtype=np.float32)
        f["y_train"] = np.array(LABELS["train"])
        f["X_test"] = general_rows(2, "<f4")
        f["y_test"] = np.array(LABELS["test"])
    # A file cut short: the header survives, the raw data of the last datasets does not.
    blob = good.read_bytes()
    (OUT / "truncated.h5").write_bytes(blob[: len(blob) // 2])
    (OUT / "truncated-header.h5").write_bytes(blob[:1000])
    (OUT / "not-hdf5.h5").write_text("X_train,y_train\n0.5,3\n")
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


main()
