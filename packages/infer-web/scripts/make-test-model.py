#!/usr/bin/env python3
"""Writes fixtures/test-model.onnx: a small seeded 3D CNN with the real model contract.

Same interface as the exported seed model (NDHWC float32 [batch, 16, 16, 16, 3] in, softmax [batch, 10] out,
conv3d.* metadata_props, IR 8, opset 17) but a few hundred weights, so browser tests load it in milliseconds.
With --seed-size OUT it writes the seed's full-size architecture instead (Conv3D 32 and 64, Dense 256; random
weights), for benchmarks when no trained export exists yet.
Run with Debian's python3 (onnx 1.12, numpy): /usr/bin/python3 scripts/make-test-model.py [--seed-size OUT]
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED_SIZE = len(sys.argv) == 3 and sys.argv[1] == "--seed-size"
if len(sys.argv) != 1 and not SEED_SIZE:
    sys.exit("usage: make-test-model.py [--seed-size OUT.onnx]")
OUT = (
    os.path.abspath(sys.argv[2])
    if SEED_SIZE
    else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "test-model.onnx")
)
C1, C2, HIDDEN = (32, 64, 256) if SEED_SIZE else (4, 8, 0)
FLAT = 8 * C2

rng = np.random.default_rng(20261128)


def weights(name, shape, fan_in):
    # he_uniform-like scale keeps activations alive so the softmax is far from uniform (distinct argmax).
    limit = np.sqrt(6.0 / fan_in)
    return numpy_helper.from_array(rng.uniform(-limit, limit, size=shape).astype(np.float32), name)


inits = [
    weights("conv1_w", (C1, 3, 3, 3, 3), 81),
    numpy_helper.from_array(rng.uniform(-0.1, 0.1, C1).astype(np.float32), "conv1_b"),
    weights("conv2_w", (C2, C1, 3, 3, 3), 27 * C1),
    numpy_helper.from_array(rng.uniform(-0.1, 0.1, C2).astype(np.float32), "conv2_b"),
    numpy_helper.from_array(np.array([-1, FLAT], dtype=np.int64), "flat_shape"),
    # Logits are scaled up so the classes are well separated: WebGPU parity is checked to 1e-4 with equal argmax.
    numpy_helper.from_array(np.array(4.0, dtype=np.float32), "logit_scale"),
    # The colour of an empty voxel after the Oranges preprocessing: subtracting it makes the features (and so the
    # predicted class) depend on the digit's voxels rather than on the constant background.
    numpy_helper.from_array(np.array([1.0, 0.961, 0.922], dtype=np.float32), "background"),
]

nodes = [
    helper.make_node("Sub", ["input", "background"], ["centred"]),
    helper.make_node("Transpose", ["centred"], ["x_ncdhw"], perm=[0, 4, 1, 2, 3]),
    helper.make_node("Conv", ["x_ncdhw", "conv1_w", "conv1_b"], ["c1"], kernel_shape=[3, 3, 3]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2, 2], strides=[2, 2, 2]),
    helper.make_node("Conv", ["p1", "conv2_w", "conv2_b"], ["c2"], kernel_shape=[3, 3, 3]),
    helper.make_node("Relu", ["c2"], ["r2"]),
    helper.make_node("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2, 2], strides=[2, 2, 2]),
    helper.make_node("Transpose", ["p2"], ["p2_ndhwc"], perm=[0, 2, 3, 4, 1]),
    helper.make_node("Reshape", ["p2_ndhwc", "flat_shape"], ["flat"]),
]
if HIDDEN:
    inits += [
        weights("hidden_w", (FLAT, HIDDEN), FLAT),
        numpy_helper.from_array(np.zeros(HIDDEN, dtype=np.float32), "hidden_b"),
    ]
    nodes += [
        helper.make_node("Gemm", ["flat", "hidden_w", "hidden_b"], ["h"]),
        helper.make_node("Relu", ["h"], ["features"]),
    ]
else:
    nodes.append(helper.make_node("Identity", ["flat"], ["features"]))
width = HIDDEN or FLAT
inits += [
    weights("dense_w", (width, 10), width),
    numpy_helper.from_array(rng.uniform(-0.1, 0.1, 10).astype(np.float32), "dense_b"),
]
nodes += [
    helper.make_node("Gemm", ["features", "dense_w", "dense_b"], ["logits"]),
    helper.make_node("Mul", ["logits", "logit_scale"], ["scaled"]),
    helper.make_node("Softmax", ["scaled"], ["probabilities"], axis=-1),
]

graph = helper.make_graph(
    nodes,
    "conv3d_test_model",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 16, 16, 16, 3])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
    inits,
)
model = helper.make_model(
    graph,
    producer_name="conv3d-infer-web-test-fixture",
    producer_version="1",
    ir_version=8,
    opset_imports=[helper.make_opsetid("", 17)],
)
helper.set_model_props(
    model,
    {
        "conv3d.labels": json.dumps([str(i) for i in range(10)]),
        "conv3d.preprocessing": "matplotlib-oranges-rgb-v1",
        "conv3d.input_layout": "NDHWC",
        "conv3d.input_shape": json.dumps([16, 16, 16, 3]),
    },
)
onnx.checker.check_model(model, full_check=True)
os.makedirs(os.path.dirname(OUT), exist_ok=True)
tmp = f"{OUT}.tmp-{os.getpid()}"
onnx.save(model, tmp)
os.replace(tmp, OUT)
print(f"wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)
