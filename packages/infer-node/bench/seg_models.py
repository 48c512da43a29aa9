#!/usr/bin/python3
"""The segmentation benchmark's models, with onnx.helper (opset 17, IR 8) and seeded weights:

  unet.onnx + unet.npz  a small U-Net on 64³ patches (fixed size, contract task segment, 3 labels): Conv 3³ 1→4,
                        4→4, MaxPool 2, Conv 4→8, 8→8, nearest ×2 upsampling, concat (12), Conv 12→4, 4→4,
                        Conv 1³ 4→3, softmax over the labels; the .npz holds the same weights for
                        torch_sliding_window.py
  fcn.onnx              the dilated fully convolutional network of issue 22's whole-volume figure: nine Conv 3³,
                        20 channels, dilations 1, 2, 4, 8, 16, 8, 4, 2, 1 ('same' padding, ReLU between), a 1³ Conv
                        to 2 labels and softmax; free D, H, W (contract free_size true)

Inputs and outputs are channels last ([N, D, H, W, C] → [N, D, H, W, K]), as conv3d's contract says.
Usage: /usr/bin/python3 seg_models.py OUT_DIR
"""

import importlib.util
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# The contract metadata, from the test fixtures' script (one copy).
_spec = importlib.util.spec_from_file_location(
    "make_seg_model", os.path.join(os.path.dirname(__file__), "..", "scripts", "make-seg-model.py"))
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
metadata = _fixtures.metadata

UNET_PATCH = [64, 64, 64]
UNET_LABELS = ["background", "a", "b"]


def conv_weights(rng, out_c, in_c, k):
    limit = np.sqrt(6 / (in_c * k ** 3))
    return (rng.uniform(-limit, limit, (out_c, in_c, k, k, k)).astype(np.float32),
            rng.uniform(-0.1, 0.1, out_c).astype(np.float32))


def unet_weights():
    rng = np.random.default_rng(96)
    shapes = {"e1a": (4, 1, 3), "e1b": (4, 4, 3), "e2a": (8, 4, 3), "e2b": (8, 8, 3), "d1a": (4, 12, 3),
              "d1b": (4, 4, 3), "out": (3, 4, 1)}
    return {name: conv_weights(rng, *shape) for name, shape in shapes.items()}


def save(nodes, inits, name, spatial, in_c, out_c, meta, path):
    x = helper.make_tensor_value_info("volume", TensorProto.FLOAT, ["N"] + spatial + [in_c])
    y = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N"] + spatial + [out_c])
    graph = helper.make_graph(nodes, name, [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="seg_models.py")
    model.ir_version = 8
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def conv(nodes, inits, name, src, weights, dilation=1, relu=True):
    w, b = weights
    k = w.shape[2]
    inits += [numpy_helper.from_array(w, f"{name}_w"), numpy_helper.from_array(b, f"{name}_b")]
    pad = dilation * (k // 2)
    nodes.append(helper.make_node("Conv", [src, f"{name}_w", f"{name}_b"], [f"{name}_c" if relu else name],
                                  kernel_shape=[k] * 3, pads=[pad] * 6, dilations=[dilation] * 3))
    if relu:
        nodes.append(helper.make_node("Relu", [f"{name}_c"], [name]))
    return name


def unet(path):
    w = unet_weights()
    nodes, inits = [helper.make_node("Transpose", ["volume"], ["x"], perm=[0, 4, 1, 2, 3])], []
    e1 = conv(nodes, inits, "e1b", conv(nodes, inits, "e1a", "x", w["e1a"]), w["e1b"])
    nodes.append(helper.make_node("MaxPool", [e1], ["p"], kernel_shape=[2, 2, 2], strides=[2, 2, 2]))
    e2 = conv(nodes, inits, "e2b", conv(nodes, inits, "e2a", "p", w["e2a"]), w["e2b"])
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2, 2], dtype=np.float32), "scales"))
    nodes.append(helper.make_node("Resize", [e2, "", "scales"], ["u"], mode="nearest",
                                  coordinate_transformation_mode="asymmetric", nearest_mode="floor"))
    nodes.append(helper.make_node("Concat", [e1, "u"], ["cat"], axis=1))
    d = conv(nodes, inits, "d1b", conv(nodes, inits, "d1a", "cat", w["d1a"]), w["d1b"])
    conv(nodes, inits, "logits", d, w["out"], relu=False)
    nodes.append(helper.make_node("Transpose", ["logits"], ["logits_last"], perm=[0, 2, 3, 4, 1]))
    nodes.append(helper.make_node("Softmax", ["logits_last"], ["probabilities"], axis=-1))
    save(nodes, inits, "unet", UNET_PATCH, 1, 3, metadata(UNET_LABELS, UNET_PATCH, False), f"{path}/unet.onnx")
    np.savez(f"{path}/unet.npz", **{f"{k}_w": v[0] for k, v in w.items()}, **{f"{k}_b": v[1] for k, v in w.items()})


def fcn(path):
    rng = np.random.default_rng(20)
    nodes, inits = [helper.make_node("Transpose", ["volume"], ["x"], perm=[0, 4, 1, 2, 3])], []
    src = "x"
    for i, dilation in enumerate([1, 2, 4, 8, 16, 8, 4, 2, 1]):
        src = conv(nodes, inits, f"c{i}", src, conv_weights(rng, 20, 1 if i == 0 else 20, 3), dilation)
    conv(nodes, inits, "logits", src, conv_weights(rng, 2, 20, 1), relu=False)
    nodes.append(helper.make_node("Transpose", ["logits"], ["logits_last"], perm=[0, 2, 3, 4, 1]))
    nodes.append(helper.make_node("Softmax", ["logits_last"], ["probabilities"], axis=-1))
    save(nodes, inits, "dilated_fcn", ["D", "H", "W"], 1, 2, metadata(["background", "foreground"], [64, 64, 64], True),
         f"{path}/fcn.onnx")


if __name__ == "__main__":
    unet(sys.argv[1])
    fcn(sys.argv[1])
