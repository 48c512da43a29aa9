#!/usr/bin/env python3
"""Writes fixtures/test-segmenter-free.onnx: fixtures/test-segmenter.onnx with symbolic D, H, W on its input and
output and 'conv3d.free_size' true, as the exporter writes a fully convolutional model once free sizes land (its
graph, Transpose + 'same' Conv3Ds + Softmax, runs at any size). Until then the browser tests use this file.
Run with Debian's python3 (onnx 1.12): /usr/bin/python3 scripts/make-free-size-model.py
"""
import os

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "fixtures", "test-segmenter.onnx")
OUT = os.path.join(HERE, "..", "fixtures", "test-segmenter-free.onnx")

model = onnx.load(SOURCE)
for value in (model.graph.input[0], model.graph.output[0]):
    dims = value.type.tensor_type.shape.dim
    for dim, name in zip(list(dims)[1:4], "DHW"):
        dim.ClearField("dim_value")
        dim.dim_param = name
for prop in model.metadata_props:
    if prop.key == "conv3d.free_size":
        prop.value = "true"
model.graph.name = "test_segmenter_free"
onnx.checker.check_model(model)
onnx.save(model, OUT)
print(f"{OUT}: {os.path.getsize(OUT)} bytes")
