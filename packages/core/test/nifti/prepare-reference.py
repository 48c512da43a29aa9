"""Writes a scan and a label scan (argv[1]) and, with nibabel + scipy.ndimage + numpy, the volumes conv3d's
prepareScan / prepareLabels must produce from them: as_closest_canonical (or FreeSurfer's LIA), resampled with
map_coordinates (order 1 for the image, order 0 for labels, mode='nearest') at output voxel n ↦ input n·scale,
then MONAI's intensity formulas. Outputs are (D, H, W) C-order float32 (x fastest)."""
import json
import os
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

out = sys.argv[1]
rng = np.random.default_rng(7)
shape = (9, 11, 8)
affine = np.array([[0.0, -1.3, 0.0, 20.0], [0.0, 0.0, 0.9, -9.0], [-2.1, 0.0, 0.0, 30.0], [0, 0, 0, 1]])
scan = (rng.standard_normal(shape) * 200 + 50).astype(np.int16)
scan[:2] = 0
labels = rng.integers(0, 4, size=shape).astype(np.uint8)
nib.save(nib.Nifti1Image(scan, affine), os.path.join(out, 'scan.nii.gz'))
nib.save(nib.Nifti1Image(labels, affine), os.path.join(out, 'labels.nii.gz'))


def oriented(path, codes):
    img = nib.load(path)
    if codes == 'stored':
        return img.get_fdata(), np.sqrt((img.affine[:3, :3] ** 2).sum(axis=0))
    ornt = nib.orientations.ornt_transform(nib.io_orientation(img.affine), nib.orientations.axcodes2ornt(codes))
    img = img.as_reoriented(ornt)
    return img.get_fdata(), np.sqrt((img.affine[:3, :3] ** 2).sum(axis=0))


def regrid(arr, scale, out_shape, order):
    coords = np.meshgrid(*[np.arange(n) * s for n, s in zip(out_shape, scale)], indexing='ij')
    if order == 0:
        # round half up, as conv3d does (scipy's order 0 rounds half to even)
        coords = [np.floor(c + 0.5) for c in coords]
    return ndimage.map_coordinates(arr, coords, order=min(order, 1), mode='nearest')


cases = []


def case(name, codes, spacing=None, grid=None, intensity=None):
    img, zooms = oriented(os.path.join(out, 'scan.nii.gz'), codes)
    lab, _ = oriented(os.path.join(out, 'labels.nii.gz'), codes)
    if grid is not None:
        scale = [(n - 1) / (g - 1) if g > 1 else 0 for n, g in zip(img.shape, grid)]
        out_shape = grid
    elif spacing is not None:
        scale = [t / z for t, z in zip(spacing, zooms)]
        out_shape = [max(1, int(np.floor(n * z / t + 0.5))) for n, z, t in zip(img.shape, zooms, spacing)]
    else:
        scale, out_shape = [1, 1, 1], img.shape
    img = regrid(img, scale, out_shape, 1)
    lab = regrid(lab, scale, out_shape, 0)
    kind = (intensity or {'kind': 'none'})['kind']
    if kind == 'minmax':
        img = (img - img.min()) / (img.max() - img.min())
    elif kind == 'zscore':
        mask = img != 0 if intensity['nonzero'] else np.ones(img.shape, bool)
        mean, std = img[mask].mean(), img[mask].std()
        img = np.where(mask, (img - mean) / (std or 1), img)
    elif kind == 'window':
        w = intensity
        img = (img - w['aMin']) / (w['aMax'] - w['aMin']) * (w['bMax'] - w['bMin']) + w['bMin']
        if w['clip']:
            img = np.clip(img, w['bMin'], w['bMax'])
    img.transpose(2, 1, 0).astype('<f4').tofile(os.path.join(out, name + '.image'))
    lab.transpose(2, 1, 0).astype('<f4').tofile(os.path.join(out, name + '.labels'))
    prep = {'orientation': codes, 'intensity': intensity or {'kind': 'none'}}
    if spacing is not None:
        prep['spacing'] = spacing
    cases.append({'name': name, 'preparation': prep, 'grid': grid, 'shape': [int(n) for n in out_shape[::-1]]})


case('ras', 'RAS')
case('lia-spacing-window', 'LIA', spacing=[0.7, 1.7, 1.1],
     intensity={'kind': 'window', 'aMin': -100.0, 'aMax': 300.0, 'bMin': 0.0, 'bMax': 1.0, 'clip': True})
case('ras-grid-zscore', 'RAS', grid=[6, 13, 5], intensity={'kind': 'zscore', 'nonzero': True})
case('ras-spacing-minmax', 'RAS', spacing=[2.9, 0.6, 1.6], intensity={'kind': 'minmax'})
case('stored-zscore', 'stored', intensity={'kind': 'zscore', 'nonzero': False})
json.dump(cases, open(os.path.join(out, 'cases.json'), 'w'))
