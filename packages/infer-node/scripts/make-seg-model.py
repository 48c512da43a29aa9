#!/usr/bin/python3
"""Writes the segmentation test fixtures with onnx.helper (opset 17, IR 8), independent of @conv3d/export-onnx:

  seg-fixed.onnx  [N, 6, 8, 10, 1] -> Transpose -> Conv 3x3x3 (4, pads 1) -> Relu -> Conv 1x1x1 (3) -> Transpose
                  -> Softmax(axis -1) -> [N, 6, 8, 10, 3]; contract v3, task segment, free_size false
  seg-free.onnx   the same graph and weights with symbolic D, H, W; free_size true
  seg-expected.json  a seeded 9 x 11 x 13 volume (values in sixteenths) and seg-free's float64 numpy probabilities on
                  it, whole volume at once

Run with Debian's /usr/bin/python3 (onnx 1.12, numpy): /usr/bin/python3 scripts/make-seg-model.py fixtures
"""

import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LABELS = ["background", "sphere", "cube"]
GRID = [6, 8, 10]


def metadata(labels, grid, free):
    """A segmenter's contract (version 3) as metadata_props: one raw channel, preprocessing none."""
    return {
        "conv3d.contract_version": "3",
        "conv3d.labels": json.dumps(labels),
        "conv3d.grid": json.dumps(grid),
        "conv3d.raw_channels": "1",
        "conv3d.voxel_order": "dhwc",
        "conv3d.preprocessing": "none",
        "conv3d.input_kind": "preprocessed",
        "conv3d.input_layout": "NDHWC",
        "conv3d.input_shape": json.dumps(grid + [1]),
        "conv3d.task": "segment",
        "conv3d.voxel_output": "probabilities",
        "conv3d.free_size": "true" if free else "false",
    }


def weights():
    rng = np.random.default_rng(22)
    w1 = rng.uniform(-0.6, 0.6, (4, 1, 3, 3, 3)).astype(np.float32)
    b1 = rng.uniform(-0.3, 0.3, 4).astype(np.float32)
    w2 = rng.uniform(-1.5, 1.5, (3, 4, 1, 1, 1)).astype(np.float32)
    b2 = rng.uniform(-0.3, 0.3, 3).astype(np.float32)
    return w1, b1, w2, b2


def model(free):
    w1, b1, w2, b2 = weights()
    spatial = ["D", "H", "W"] if free else GRID
    x = helper.make_tensor_value_info("volume", TensorProto.FLOAT, ["N"] + spatial + [1])
    y = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N"] + spatial + [3])
    nodes = [
        helper.make_node("Transpose", ["volume"], ["ncdhw"], perm=[0, 4, 1, 2, 3]),
        helper.make_node("Conv", ["ncdhw", "w1", "b1"], ["c1"], kernel_shape=[3, 3, 3], pads=[1] * 6),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], kernel_shape=[1, 1, 1]),
        helper.make_node("Transpose", ["c2"], ["ndhwc"], perm=[0, 2, 3, 4, 1]),
        helper.make_node("Softmax", ["ndhwc"], ["probabilities"], axis=-1),
    ]
    inits = [numpy_helper.from_array(a, n) for a, n in zip(weights(), ["w1", "b1", "w2", "b2"])]
    graph = helper.make_graph(nodes, "segmenter", [x], [y], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make-seg-model.py")
    m.ir_version = 8
    helper.set_model_props(m, metadata(LABELS, GRID, free))
    onnx.checker.check_model(m)
    return m


def forward(volume):
    """float64 numpy forward pass of the graph on one [D, H, W] volume: [D, H, W, 3] probabilities."""
    w1, b1, w2, b2 = (a.astype(np.float64) for a in weights())
    d, h, w = volume.shape
    padded = np.pad(volume.astype(np.float64), 1)
    c1 = np.zeros((4, d, h, w))
    for o in range(4):
        acc = np.full((d, h, w), b1[o])
        for i in range(3):
            for j in range(3):
                for k in range(3):
                    acc += w1[o, 0, i, j, k] * padded[i:i + d, j:j + h, k:k + w]
        c1[o] = np.maximum(acc, 0)
    logits = np.einsum("oc,cdhw->dhwo", w2[:, :, 0, 0, 0], c1) + b2
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


if __name__ == "__main__":
    out = sys.argv[1]
    onnx.save(model(False), f"{out}/seg-fixed.onnx")
    onnx.save(model(True), f"{out}/seg-free.onnx")
    rng = np.random.default_rng(23)
    sixteenths = rng.integers(0, 17, (9, 11, 13))
    probabilities = forward(sixteenths / 16)
    with open(f"{out}/seg-expected.json", "w") as f:
        json.dump({"dims": [9, 11, 13], "volume_sixteenths": sixteenths.flatten().tolist(),
                   "probabilities": [round(float(p), 9) for p in probabilities.flatten()]}, f)
