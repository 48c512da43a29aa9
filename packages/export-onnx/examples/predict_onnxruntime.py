# The same prediction with onnxruntime and the embedded file: raw rows in, probabilities out.
# python3 predict_onnxruntime.py model-raw.onnx full_dataset_vectors.h5  (pip install onnxruntime h5py)
import sys

import h5py
import numpy as np
import onnxruntime as ort

model_path, data_path = sys.argv[1:3]
with h5py.File(data_path, "r") as f:
    rows = f["X_test"][:8].astype(np.float32)  # [N, 4096] raw rows, no preprocessing
session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
(probabilities,) = session.run(None, {session.get_inputs()[0].name: rows})
np.savetxt(sys.stdout, probabilities, fmt="%.9g")
