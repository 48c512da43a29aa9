"""Writes fixtures/preprocess/oranges.json: the seed's preprocessing computed by Debian's python3-matplotlib,
exactly as the seed does it: ScalarMappable(cmap="Oranges").to_rgba(v)[:, :-1].reshape(16, 16, 16, 3) as float32.

Run: /usr/bin/python3 scripts/make-preprocess-fixtures.py

Per sample: its input, either real rows as sparse [index, value] pairs or a named formula over the voxel index i
(test/preprocess.test.ts evaluates the same formula); float32 inputs are the float64 values rounded to float32. The
output is a palette of the distinct RGB triples (base64 float32) plus one palette code per voxel (base64 uint8),
which rebuilds matplotlib's float32 output exactly. Also Keras' validation split points, floor(n * (1 - split)) as
keras' train_validation_split computes them.
"""

import base64
import json
import math
import pathlib

import matplotlib
import numpy as np
import reference_recipe as recipe
from matplotlib.cm import ScalarMappable

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "preprocess" / "oranges.json"


def seed_transform(v):
    return ScalarMappable(cmap="Oranges").to_rgba(v)[:, :-1].reshape(16, 16, 16, 3).astype(np.float32)


I = np.arange(4096)
FORMULAS = {
    # many distinct values, exactly 0 and exactly 1 included
    "dense": ((I * 7919) % 998) / 997.0,
    "zero": np.zeros(4096),
    "half": np.full(4096, 0.5),
    "one": np.ones(4096),
    # minimum 0.25: the autoscale shifts; a quarter of the voxels are exactly 1
    "steps": (((I * 31 + I // 8) % 4) + 1) * 0.25,
    # a range of 1e-4 above 0.3: normalisation magnifies rounding
    "narrow": 0.3 + ((I * 613) % 1000) * 1e-7,
}


def samples():
    for split, index in (("train", 0), ("train", 7), ("test", 3)):
        yield f"real {split}[{index}]", None, recipe.original_row(split, index)[0]
    for name, values in FORMULAS.items():
        yield name, name, values


def encode(name, formula, values, dtype):
    values = values.astype(dtype)
    rgb = seed_transform(values).reshape(-1, 3)
    palette, codes = np.unique(rgb, axis=0, return_inverse=True)
    entry = {"name": f"{name} ({dtype})", "dtype": dtype}
    if formula:
        entry["formula"] = formula
    else:
        entry["input"] = [[int(i), float(values[i])] for i in np.flatnonzero(values)]
    entry["palette"] = base64.b64encode(palette.astype("<f4").tobytes()).decode()
    entry["codes"] = base64.b64encode(codes.astype(np.uint8).tobytes()).decode()
    return entry


def main():
    entries = []
    for name, formula, values in samples():
        entries.append(encode(name, formula, values, "float64"))
        if name in ("real train[0]", "dense", "steps", "narrow"):
            entries.append(encode(name, formula, values, "float32"))
    splits = [
        {"rows": n, "split": f, "index": int(math.floor(n * (1.0 - f)))}
        for n in (10, 99, 100, 1000, 10000, 12345)
        for f in (0.0, 0.1, 0.2, 0.25, 0.3, 0.5)
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {"matplotlib": matplotlib.__version__, "samples": entries, "validationSplit": splits}
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(entries)} samples)")


main()
