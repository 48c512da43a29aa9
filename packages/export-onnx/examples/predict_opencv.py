# The seed model's prediction in Python with OpenCV: python3 predict_opencv.py model.onnx full_dataset_vectors.h5
import sys

import cv2
import h5py
import numpy as np
from matplotlib import cm

model_path, data_path = sys.argv[1:3]
with h5py.File(data_path, "r") as f:
    rows = f["X_test"][:8]  # raw rows, 4096 voxels each (x + 16y + 256z)
# The seed's preprocessing: each sample autoscaled to its own min/max, then matplotlib's Oranges colours.
rgb = np.stack([cm.ScalarMappable(cmap="Oranges").to_rgba(r)[:, :3] for r in rows])
net = cv2.dnn.readNetFromONNX(model_path)  # the plain file (embedded: export with --opencv-compatible)
net.setInput(rgb.reshape(-1, 16, 16, 16, 3).astype(np.float32))  # NDHWC, any batch size
probabilities = net.forward()
np.savetxt(sys.stdout, probabilities, fmt="%.9g")  # one row of 10 class probabilities per sample
