"""Checks a file written by `conv3d-dataset pack` (argv[1]) with h5py against nibabel reading each row's recorded
source: X = as_closest_canonical(scan).get_fdata() as (D, H, W) float32, y = the label scan's canonical voxels.
Prints JSON: the layout facts and the rows that differ."""
import json
import sys

import h5py
import nibabel as nib
import numpy as np

f = h5py.File(sys.argv[1], 'r')
report = {'labels': [str(v, 'utf8') if isinstance(v, bytes) else str(v) for v in f.attrs['labels']],
          'task': str(f.attrs['task']), 'preparation': json.loads(f.attrs['preparation']), 'grid': [int(v) for v in f.attrs['grid']], 'bad': [], 'shapes': {}}


def canonical(path):
    return np.asarray(nib.as_closest_canonical(nib.load(path)).get_fdata()).transpose(2, 1, 0)


for split in ['train', 'test']:
    x, y = f[f'X_{split}'], f[f'y_{split}']
    sources = [s.decode() if isinstance(s, bytes) else s for s in f[f'source_{split}'][()]]
    report['shapes'][split] = {'x': list(x.shape), 'y': list(y.shape), 'xdtype': str(x.dtype), 'ydtype': str(y.dtype)}
    for row, source in enumerate(sources):
        image, _, label = source.partition(',')
        if not np.array_equal(x[row], canonical(image).astype(np.float32)):
            report['bad'].append(f'{split} {row} X')
        if label and not np.array_equal(y[row], canonical(label)):
            report['bad'].append(f'{split} {row} y')
print(json.dumps(report))
