"""Writes small synthetic NIfTI scan folders with nibabel (Debian's /usr/bin/python3), for pack's tests and bench.

usage: make-scans.py decathlon DIR N [SIZE]   Decathlon layout: dataset.json, imagesTr/, labelsTr/, imagesTs/
       make-scans.py classes DIR N            class folders a/, b/ of mixed sizes, and scans.csv listing them
Scans are int16 with an LPS affine (so packing must reorient), labels uint8 0..2; everything seeded.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

kind, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = int(sys.argv[4]) if len(sys.argv) > 4 else 12
rng = np.random.default_rng(23)
LPS = np.diag([-1.2, -1.0, 2.0, 1.0])
LPS[:3, 3] = [30.0, 20.0, -10.0]


def save(arr, path, affine=LPS):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nib.save(nib.Nifti1Image(arr, affine), path)


def scan(shape):
    return (rng.standard_normal(shape) * 300).astype(np.int16)


if kind == 'decathlon':
    shape = (size, size - 2, size - 4)
    training = []
    for i in range(n):
        image = scan(shape)
        labels = rng.integers(0, 3, size=shape).astype(np.uint8)
        save(image, os.path.join(out, 'imagesTr', f'case_{i:03d}.nii.gz'))
        save(labels, os.path.join(out, 'labelsTr', f'case_{i:03d}.nii.gz'))
        training.append({'image': f'./imagesTr/case_{i:03d}.nii.gz', 'label': f'./labelsTr/case_{i:03d}.nii.gz'})
    save(scan(shape), os.path.join(out, 'imagesTs', 'case_999.nii.gz'))
    json.dump(
        {
            'name': 'Synthetic',
            'modality': {'0': 'CT'},
            'labels': {'0': 'background', '1': 'organ', '2': 'lesion'},
            'numTraining': n,
            'training': training,
            'test': ['./imagesTs/case_999.nii.gz'],
        },
        open(os.path.join(out, 'dataset.json'), 'w'),
        indent=1,
    )
else:
    lines = ['path,label']
    for i in range(n):
        label = 'ab'[i % 2]
        shape = (8 + i % 3, 9, 10)
        name = f'{label}/scan_{i:03d}.nii' + ('.gz' if i % 2 else '')
        save(scan(shape), os.path.join(out, name))
        lines.append(f'{name},{label}')
    open(os.path.join(out, 'scans.csv'), 'w').write('\n'.join(lines) + '\n')
