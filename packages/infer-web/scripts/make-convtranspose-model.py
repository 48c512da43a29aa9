#!/usr/bin/env python3
"""Writes fixtures/test-segmenter-convtranspose.onnx: fixtures/test-segmenter.onnx with its first Conv (3x3x3,
stride 1, pads 1) replaced by the equal 3D ConvTranspose (kernel [in, out, k...] flipped in space, same pads), so
its outputs equal the original's. onnxruntime-web's WebGPU EP has no 3D ConvTranspose (onnxruntime#28356): this
file shows what happens there. Hand-built because the exporter's Conv3DTranspose converter is on another branch.
Run with Debian's python3 (onnx 1.12, numpy): /usr/bin/python3 scripts/make-convtranspose-model.py
"""
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "fixtures", "test-segmenter.onnx")
OUT = os.path.join(HERE, "..", "fixtures", "test-segmenter-convtranspose.onnx")

model = onnx.load(SOURCE)
graph = model.graph
conv = next(n for n in graph.node if n.op_type == "Conv")
attributes = {a.name: helper.get_attribute_value(a) for a in conv.attribute}
assert attributes["strides"] == [1, 1, 1] and attributes["dilations"] == [1, 1, 1], attributes
kernel_name = conv.input[1]
kernel_init = next(i for i in graph.initializer if i.name == kernel_name)
kernel = numpy_helper.to_array(kernel_init)  # [out, in, kd, kh, kw]
# A stride-1 transposed convolution correlates with the kernel flipped in space and its channel axes swapped.
transposed = np.ascontiguousarray(kernel[:, :, ::-1, ::-1, ::-1].transpose(1, 0, 2, 3, 4))
kernel_init.CopyFrom(numpy_helper.from_array(transposed, kernel_name))
replacement = helper.make_node(
    "ConvTranspose",
    list(conv.input),
    list(conv.output),
    name=f"{conv.name or 'conv'}_transposed",
    kernel_shape=attributes["kernel_shape"],
    strides=[1, 1, 1],
    pads=attributes["pads"],
    group=1,
)
index = list(graph.node).index(conv)
graph.node.remove(conv)
graph.node.insert(index, replacement)
model.graph.name = "test_segmenter_convtranspose"
onnx.checker.check_model(model)
onnx.save(model, OUT)
print(f"{OUT}: {os.path.getsize(OUT)} bytes")
