"""Writes fixtures/recipe/originals.json: reference voxel rows of a few MNIST digits (image 14 left out on purpose:
its 11 250 points are checked separately), computed by scripts/reference_recipe.py; and
fixtures/recipe/originals-grids.json: the rows of three of them on 8³ and 32³ grids and of one on 64³
(`build --grid N`).

Run with Debian's numpy: /usr/bin/python3 scripts/make-recipe-fixtures.py

Per digit: split, index, label, the point count, sha256 of the upright cloud (float64 little-endian, (N, 3)
row-major), and the row's nonzero voxels as [index, value] with values written by repr (exact float64).
"""

import hashlib
import json
import pathlib

import numpy as np
import reference_recipe as recipe

DIGITS = {"train": [0, 1, 2, 7, 31, 100, 2024, 4999], "test": [0, 3, 500, 999]}
OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "recipe" / "originals.json"
GRIDS_OUT = OUT.with_name("originals-grids.json")
GRIDS = [8, 32, 64]
GRID_DIGITS = [("train", 0), ("train", 2024), ("test", 3)]


def main():
    entries = []
    for split, indices in DIGITS.items():
        for index in indices:
            image, label = recipe.load_digit(split, index)
            points = recipe.points_of(image)
            vector = recipe.voxel_vector(points)
            row = vector.reshape(-1) / np.max(vector)
            cloud = np.ascontiguousarray(points, dtype="<f8")
            entries.append(
                {
                    "split": split,
                    "index": index,
                    "label": int(label),
                    "points": len(points),
                    "pointsSha256": hashlib.sha256(cloud.tobytes()).hexdigest(),
                    "nonzero": [[int(i), float(row[i])] for i in np.flatnonzero(row)],
                }
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"numpy": np.__version__, "digits": entries}, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(entries)} digits)")
    rows = []
    for grid in GRIDS:
        for split, index in GRID_DIGITS[: 1 if grid == 64 else None]:
            row, label, _ = recipe.original_row(split, index, grid)
            nonzero = [[int(i), float(row[i])] for i in np.flatnonzero(row)]
            rows.append({"grid": grid, "split": split, "index": index, "label": int(label), "nonzero": nonzero})
    GRIDS_OUT.write_text(json.dumps({"numpy": np.__version__, "rows": rows}, separators=(",", ":")) + "\n")
    print(f"wrote {GRIDS_OUT} ({GRIDS_OUT.stat().st_size} bytes, {len(rows)} rows)")


main()
