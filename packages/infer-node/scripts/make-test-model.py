#!/usr/bin/python3
"""Writes ONNX models with the conv3d contract, built with onnx.helper (opset 17, IR 8), and reference outputs.

Default (the committed test fixtures, in fixtures/):
  tiny.onnx                   Transpose -> Conv3D -> Relu -> MaxPool -> Conv3D -> Relu -> MaxPool -> Transpose
                              -> Flatten -> Gemm -> Softmax, seeded weights, full contract metadata
  tiny-expected.json          raw 4096-value samples and the probabilities of a float64 numpy forward pass over
                              matplotlib's Oranges preprocessing: both independent of the TypeScript code
  missing-metadata.onnx       the same graph without metadata_props
  unknown-preprocessing.onnx  metadata naming a preprocessing nobody implements
  wrong-input-shape.onnx      input declared NCDHW [N, 3, 16, 16, 16]
  named-labels.onnx           tiny.onnx with labels zero..nine instead of 0..9
  (legacy v1 contracts, which load as the seed contract), and contract v2 models of a non-seed grid
  D, H, W = 2, 4, 8 with 2 raw channels and labels cat, dog, eel, fox:
  minmax.onnx                 input_kind preprocessed, preprocessing minmax: [N, 2, 4, 8, 2] -> Flatten -> Gemm -> Softmax
  raw-input.onnx              input_kind raw: [N, 128] raw rows, minmax embedded in the graph, then the same Gemm
  wrong-class-count.onnx      minmax.onnx's graph (4 outputs) with 3 labels in its contract
  v2-expected.json            raw rows and the float64 numpy probabilities of both models
--seed-arch DIR: the seed's architecture (Conv3D 32, pool, Conv3D 64, pool, Dense 256, Dense 10) with seeded
random weights as DIR/seed-model.onnx plus DIR/seed-model.npz (the same weights, for bench/torch_predict.py).

Run with Debian's /usr/bin/python3 (onnx 1.12, numpy, matplotlib).
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# The legacy (v1) keys and values of the seed contract, as @conv3d/export-onnx wrote them before contract v2.
LABELS = [str(d) for d in range(10)]
CONTRACT = {
    "conv3d.labels": json.dumps(LABELS, separators=(",", ":")),
    "conv3d.preprocessing": "matplotlib-oranges-rgb-v1",
    "conv3d.input_layout": "NDHWC",
    "conv3d.input_shape": json.dumps([16, 16, 16, 3], separators=(",", ":")),
}
GRID = 16
NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def he_uniform(rng, shape, fan_in):
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def make_weights(rng, channels, dense):
    """Conv weights [out, in, 3, 3, 3], dense kernels [in, out] (NDHWC flatten order), biases."""
    weights = {}
    cin = 3
    for i, cout in enumerate(channels):
        weights[f"conv{i}.w"] = he_uniform(rng, (cout, cin, 3, 3, 3), cin * 27)
        weights[f"conv{i}.b"] = rng.uniform(-0.1, 0.1, size=cout).astype(np.float32)
        cin = cout
    size = GRID
    for _ in channels:
        size = (size - 2) // 2
    fan_in = size**3 * cin
    for i, units in enumerate(dense):
        weights[f"dense{i}.w"] = he_uniform(rng, (fan_in, units), fan_in)
        weights[f"dense{i}.b"] = rng.uniform(-0.1, 0.1, size=units).astype(np.float32)
        fan_in = units
    return weights


def build_model(weights, channels, dense, channels_first=False, metadata=CONTRACT):
    """channels_first: a valid model whose input is NCDHW [N, 3, 16, 16, 16], which the contract rejects."""
    if channels_first:
        input_dims = ["N", 3, GRID, GRID, GRID]
        nodes = [helper.make_node("Identity", ["input"], ["x_ncdhw"])]
    else:
        input_dims = ["N", GRID, GRID, GRID, 3]
        nodes = [helper.make_node("Transpose", ["input"], ["x_ncdhw"], perm=[0, 4, 1, 2, 3])]
    x = "x_ncdhw"
    for i in range(len(channels)):
        nodes += [
            helper.make_node(
                "Conv", [x, f"conv{i}.w", f"conv{i}.b"], [f"conv{i}"], kernel_shape=[3, 3, 3], pads=[0] * 6
            ),
            helper.make_node("Relu", [f"conv{i}"], [f"relu{i}"]),
            helper.make_node("MaxPool", [f"relu{i}"], [f"pool{i}"], kernel_shape=[2, 2, 2], strides=[2, 2, 2]),
        ]
        x = f"pool{i}"
    # Back to channels-last before Flatten: the dense kernels are in tfjs's NDHWC flatten order.
    nodes += [
        helper.make_node("Transpose", [x], ["x_ndhwc"], perm=[0, 2, 3, 4, 1]),
        helper.make_node("Flatten", ["x_ndhwc"], ["flat"], axis=1),
    ]
    x = "flat"
    for i in range(len(dense)):
        nodes.append(helper.make_node("Gemm", [x, f"dense{i}.w", f"dense{i}.b"], [f"dense{i}"]))
        x = f"dense{i}"
        if i < len(dense) - 1:
            nodes.append(helper.make_node("Relu", [x], [f"dense{i}.relu"]))
            x = f"dense{i}.relu"
    nodes.append(helper.make_node("Softmax", [x], ["probabilities"], axis=-1))
    graph = helper.make_graph(
        nodes,
        "conv3d-test",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, input_dims)],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", dense[-1]])],
        initializer=[numpy_helper.from_array(v, k) for k, v in weights.items()],
    )
    model = helper.make_model(
        graph, producer_name="conv3d-make-test-model", opset_imports=[helper.make_opsetid("", 17)]
    )
    model.ir_version = 8
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    return model


def oranges_rgb(raw):
    """The seed's preprocessing, by matplotlib itself: one raw vector -> (16, 16, 16, 3) float64."""
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(cmap="Oranges").to_rgba(raw)[:, :-1].reshape(GRID, GRID, GRID, 3)


def conv3d(x, w, b):
    """Valid 3D convolution, float64. x [C, D, H, W], w [O, C, 3, 3, 3]."""
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3, 3), axis=(1, 2, 3))
    return np.einsum("cdhwijk,ocijk->odhw", windows, w) + b[:, None, None, None]


def maxpool2(x):
    """MaxPool 2x2x2, stride 2, floor: the odd last plane is dropped, as ONNX does without ceil_mode."""
    c, d, h, w = x.shape[0], x.shape[1] // 2, x.shape[2] // 2, x.shape[3] // 2
    x = x[:, : d * 2, : h * 2, : w * 2]
    return x.reshape(c, d, 2, h, 2, w, 2).max(axis=(2, 4, 6))


def forward(weights, channels, dense, sample_ndhwc):
    x = sample_ndhwc.transpose(3, 0, 1, 2).astype(np.float64)
    for i in range(len(channels)):
        w = weights[f"conv{i}.w"].astype(np.float64)
        x = maxpool2(np.maximum(conv3d(x, w, weights[f"conv{i}.b"].astype(np.float64)), 0))
    x = x.transpose(1, 2, 3, 0).reshape(-1)
    for i in range(len(dense)):
        x = x @ weights[f"dense{i}.w"].astype(np.float64) + weights[f"dense{i}.b"].astype(np.float64)
        if i < len(dense) - 1:
            x = np.maximum(x, 0)
    e = np.exp(x - x.max())
    return e / e.sum()


def raw_samples(rng, count):
    """Sparse voxel blobs like 3D MNIST rows: values k/8, max exactly 1, index x + 16y + 256z."""
    out = np.zeros((count, GRID**3))
    for s in range(count):
        grid = np.zeros((GRID, GRID, GRID))
        for _ in range(6):
            z, y, x = rng.integers(2, GRID - 4, size=3)
            grid[z : z + 3, y : y + rng.integers(2, 6), x : x + 3] += rng.integers(1, 8)
        grid = np.minimum(grid, 8) / 8
        grid[tuple(rng.integers(0, GRID, size=3))] = 1.0
        out[s] = grid.reshape(-1)
    return out


def save_atomic(path, data):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_fixtures(out_dir):
    channels, dense = [4, 4], [10]
    rng = np.random.default_rng(20240917)
    weights = make_weights(rng, channels, dense)
    # Larger logits than He init gives, so the probabilities are far from uniform and argmax is clear.
    weights["dense0.w"] *= 4
    models = {
        "tiny.onnx": build_model(weights, channels, dense),
        "missing-metadata.onnx": build_model(weights, channels, dense, metadata={}),
        "unknown-preprocessing.onnx": build_model(
            weights, channels, dense, metadata={**CONTRACT, "conv3d.preprocessing": "viridis-rgb"}
        ),
        "wrong-input-shape.onnx": build_model(weights, channels, dense, channels_first=True),
        "named-labels.onnx": build_model(
            weights, channels, dense, metadata={**CONTRACT, "conv3d.labels": json.dumps(NAMES, separators=(",", ":"))}
        ),
    }
    os.makedirs(out_dir, exist_ok=True)
    for name, model in models.items():
        save_atomic(os.path.join(out_dir, name), model.SerializeToString())

    raw = raw_samples(rng, 8)
    expected = []
    for r in raw:
        p = forward(weights, channels, dense, oranges_rgb(r))
        top2 = np.sort(p)[-2:]
        if top2[1] - top2[0] < 1e-3:
            sys.exit("make-test-model: a sample's top two probabilities are within 1e-3; change the seed")
        expected.append(p)
    doc = {
        "description": "Raw 3D MNIST-like vectors (raw_eighths / 8, float64) and tiny.onnx's softmax from a float64 numpy forward "
        "pass over matplotlib's Oranges preprocessing. Generated by scripts/make-test-model.py.",
        "raw_eighths": [[int(v * 8) for v in r] for r in raw],
        "probabilities": [[float(v) for v in p] for p in expected],
        "argmax": [int(np.argmax(p)) for p in expected],
    }
    save_atomic(os.path.join(out_dir, "tiny-expected.json"), json.dumps(doc).encode())
    print(f"wrote {len(models)} models and tiny-expected.json ({len(raw)} samples) to {out_dir}")


V2_GRID, V2_CHANNELS, V2_LABELS = [2, 4, 8], 2, ["cat", "dog", "eel", "fox"]
V2_RAW = int(np.prod(V2_GRID)) * V2_CHANNELS


def v2_contract(input_kind, labels=V2_LABELS):
    """Contract v2 metadata, key for key and byte for byte as @conv3d/core's contractToMetadata writes it."""
    compact = lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    meta = {
        "conv3d.contract_version": "2",
        "conv3d.labels": compact(labels),
        "conv3d.grid": compact(V2_GRID),
        "conv3d.raw_channels": str(V2_CHANNELS),
        "conv3d.voxel_order": "dhwc",
        "conv3d.preprocessing": "minmax",
        "conv3d.input_kind": input_kind,
    }
    if input_kind == "preprocessed":
        meta["conv3d.input_layout"] = "NDHWC"
        meta["conv3d.input_shape"] = compact([*V2_GRID, V2_CHANNELS])
    else:
        meta["conv3d.input_shape"] = compact([V2_RAW])
    return meta


def build_v2_model(w, b, input_kind, labels=V2_LABELS):
    """Flatten (or raw rows through an in-graph minmax) -> Gemm -> Softmax."""
    if input_kind == "preprocessed":
        inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", *V2_GRID, V2_CHANNELS])]
        nodes = [helper.make_node("Flatten", ["input"], ["flat"], axis=1)]
    else:
        inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", V2_RAW])]
        nodes = [
            helper.make_node("ReduceMin", ["input"], ["min"], axes=[1], keepdims=1),
            helper.make_node("ReduceMax", ["input"], ["max"], axes=[1], keepdims=1),
            helper.make_node("Sub", ["input", "min"], ["shifted"]),
            helper.make_node("Sub", ["max", "min"], ["range"]),
            helper.make_node("Div", ["shifted", "range"], ["flat"]),
        ]
    nodes += [
        helper.make_node("Gemm", ["flat", "w", "b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        f"conv3d-v2-{input_kind}",
        inputs,
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", len(V2_LABELS)])],
        initializer=[numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(
        graph, producer_name="conv3d-make-test-model", opset_imports=[helper.make_opsetid("", 17)]
    )
    model.ir_version = 8
    helper.set_model_props(model, v2_contract(input_kind, labels))
    onnx.checker.check_model(model, full_check=True)
    return model


def write_v2_fixtures(out_dir):
    rng = np.random.default_rng(20261201)
    w = rng.normal(0, 1.5, size=(V2_RAW, len(V2_LABELS))).astype(np.float32)
    b = rng.uniform(-0.1, 0.1, size=len(V2_LABELS)).astype(np.float32)
    models = {
        "minmax.onnx": build_v2_model(w, b, "preprocessed"),
        "raw-input.onnx": build_v2_model(w, b, "raw"),
        "wrong-class-count.onnx": build_v2_model(w, b, "preprocessed", labels=V2_LABELS[:3]),
    }
    for name, model in models.items():
        save_atomic(os.path.join(out_dir, name), model.SerializeToString())
    # Rows of k/16 (exact in float32 and float64), row-major over D, H, W, C.
    raw = rng.integers(0, 17, size=(6, V2_RAW)) / 16
    scaled = (raw - raw.min(axis=1, keepdims=True)) / (raw.max(axis=1, keepdims=True) - raw.min(axis=1, keepdims=True))
    logits = scaled @ w.astype(np.float64) + b.astype(np.float64)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    doc = {
        "description": "Raw rows (raw_sixteenths / 16) of grid [2, 4, 8] x 2 channels and the float64 numpy softmax of "
        "minmax.onnx / raw-input.onnx. Generated by scripts/make-test-model.py.",
        "labels": V2_LABELS,
        "raw_sixteenths": [[int(v * 16) for v in r] for r in raw],
        "probabilities": [[float(v) for v in row] for row in p],
        "argmax": [int(i) for i in p.argmax(axis=1)],
    }
    save_atomic(os.path.join(out_dir, "v2-expected.json"), json.dumps(doc).encode())
    print(f"wrote {len(models)} contract v2 models and v2-expected.json to {out_dir}")


def write_seed_arch(out_dir):
    channels, dense = [32, 64], [256, 10]
    weights = make_weights(np.random.default_rng(7), channels, dense)
    os.makedirs(out_dir, exist_ok=True)
    save_atomic(os.path.join(out_dir, "seed-model.onnx"), build_model(weights, channels, dense).SerializeToString())
    tmp = os.path.join(out_dir, f"seed-model.tmp-{os.getpid()}.npz")
    np.savez(tmp, **weights)
    os.replace(tmp, os.path.join(out_dir, "seed-model.npz"))
    print(f"wrote seed-model.onnx and seed-model.npz to {out_dir}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "fixtures"), help="fixture directory")
    parser.add_argument("--seed-arch", metavar="DIR", help="write the seed-architecture benchmark model instead")
    args = parser.parse_args()
    if args.seed_arch:
        write_seed_arch(args.seed_arch)
    else:
        write_fixtures(os.path.normpath(args.out))
        write_v2_fixtures(os.path.normpath(args.out))


if __name__ == "__main__":
    main()
