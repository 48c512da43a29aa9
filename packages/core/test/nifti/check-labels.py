"""Reads label maps written by conv3d (argv[1]: JSON list of {labels, scan}) with nibabel and prints, for each,
whether the affine, shape, codes and the canonical voxels match the scan and the expected labels
((i + 2j + 3k) % 5 on the scan's canonical RAS+ grid)."""
import json
import sys

import nibabel as nib
import numpy as np

results = []
for pair in json.load(open(sys.argv[1])):
    scan = nib.load(pair['scan'])
    lab = nib.load(pair['labels'])
    canon = nib.as_closest_canonical(lab)
    arr = np.asarray(canon.dataobj)
    i, j, k = np.indices(arr.shape)
    results.append(
        {
            'affine': bool(np.array_equal(lab.affine, scan.affine)),
            'shape': list(lab.shape) == list(scan.shape[:3]),
            'codes': [int(lab.header['sform_code']), int(lab.header['qform_code'])]
            == [int(scan.header['sform_code']), int(scan.header['qform_code'])],
            'dtype': str(arr.dtype),
            'voxels': bool(np.array_equal(arr, (i + 2 * j + 3 * k) % 5)),
        }
    )
print(json.dumps(results))
