"""Writes the NIfTI fixtures for nifti.test.ts into argv[1], with nibabel's own reading of each as the reference.

For every fixture F: F (the file), F.expected (float32 little-endian: nibabel's as_closest_canonical(img)
.get_fdata() in C order of the transposed array, i.e. i fastest), and an entry in manifest.json with the canonical
shape, affine, zooms and axis codes. Run by Debian's /usr/bin/python3 (numpy, nibabel 5).
"""
import gzip
import json
import os
import struct
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(23)
SHAPE = (5, 6, 7)
manifest = []

RAS = np.diag([1.5, 2.0, 2.5, 1.0])
RAS[:3, 3] = [-3.0, 4.0, 7.25]
LPS = np.diag([-0.9, -1.1, 3.0, 1.0])
LPS[:3, 3] = [10.0, 12.0, -5.0]
# array axes run along S (reversed), L, A: a permuted, flipped affine
PERMUTED = np.array([[0.0, -1.2, 0.0, 20.0], [0.0, 0.0, 0.8, -9.0], [-2.0, 0.0, 0.0, 30.0], [0, 0, 0, 1]])
t = np.deg2rad(10.0)
OBLIQUE = np.array(
    [[np.cos(t), -np.sin(t), 0, 1.0], [np.sin(t), np.cos(t), 0, 2.0], [0, 0, 1.3, 3.0], [0, 0, 0, 1]]
) @ np.diag([1.0, 1.0, 1.0, 1.0])
AFFINES = {'ras': RAS, 'lps': LPS, 'permuted': PERMUTED, 'oblique': OBLIQUE}


def values(dtype, shape=SHAPE):
    d = np.dtype(dtype)
    if d.kind == 'f':
        return (rng.standard_normal(shape) * 100).astype(d)
    info = np.iinfo(d)
    return rng.integers(info.min, int(info.max) + 1, size=shape, dtype=np.int64).astype(d)


def patch(path, version, endian, slope, inter):
    """Sets scl_slope/scl_inter in an uncompressed file (nibabel recomputes them on save)."""
    raw = bytearray(open(path, 'rb').read())
    if version == 1:
        struct.pack_into(endian + 'ff', raw, 112, slope, inter)
    else:
        struct.pack_into(endian + 'dd', raw, 176, slope, inter)
    open(path, 'wb').write(bytes(raw))


def fixture(name, data, affine, version=1, endian='<', gz=True, slope=None, inter=0.0, sform=True, qform=True):
    klass = nib.Nifti1Image if version == 1 else nib.Nifti2Image
    header = (nib.Nifti1Header if version == 1 else nib.Nifti2Header)(endianness=endian)
    img = klass(data, affine, header=header)
    img.set_data_dtype(data.dtype)
    img.header.set_sform(affine, code=1 if sform else 0)
    img.header.set_qform(affine, code=1 if qform else 0)
    plain = os.path.join(out, name + '.nii')
    nib.save(img, plain)
    if slope is not None:
        patch(plain, version, endian, slope, inter)
    path = plain
    if gz:
        path = plain + '.gz'
        with open(plain, 'rb') as f, gzip.open(path, 'wb') as g:
            g.write(f.read())
        os.remove(plain)
    loaded = nib.load(path)
    canon = nib.as_closest_canonical(loaded)
    arr = np.asarray(canon.get_fdata()).astype(np.float32)
    # i fastest: Fortran order of (i, j, k[, t])
    arr.ravel(order='F').astype('<f4').tofile(os.path.join(out, os.path.basename(path) + '.expected'))
    # FreeSurfer's conformed orientation, through nibabel's ornt_transform
    ornt = nib.orientations.ornt_transform(nib.io_orientation(loaded.affine), nib.orientations.axcodes2ornt('LIA'))
    lia = loaded.as_reoriented(ornt)
    np.asarray(lia.get_fdata()).astype('<f4').ravel(order='F').tofile(os.path.join(out, os.path.basename(path) + '.lia'))
    manifest.append(
        {
            'file': os.path.basename(path),
            'shape': list(canon.shape[:3]),
            'channels': int(canon.shape[3]) if len(canon.shape) > 3 else 1,
            'affine': canon.affine.tolist(),
            'liaAffine': lia.affine.tolist(),
            'storedAffine': loaded.affine.tolist(),
            'zooms': [float(z) for z in canon.header.get_zooms()[:3]],
            'codes': ''.join(nib.aff2axcodes(canon.affine)),
            'storedCodes': ''.join(nib.aff2axcodes(loaded.affine)),
            'oblique': name.startswith('oblique'),
        }
    )


for dtype in ['uint8', 'int8', 'int16', 'uint16', 'int32', 'float32', 'float64']:
    for endian in '<>':
        fixture(f'{dtype}-{"le" if endian == "<" else "be"}', values(dtype), LPS, endian=endian)
for key, affine in AFFINES.items():
    fixture(f'{key}-sform', values('int16'), affine, gz=False)
    fixture(f'{key}-qform-only', values('int16'), affine, sform=False)
    fixture(f'{key}-nifti2', values('float32'), affine, version=2, endian='>')
fixture('base-affine', values('int16'), LPS, sform=False, qform=False)
fixture('scaled-int16', values('int16'), PERMUTED, slope=0.37, inter=-12.5)
fixture('scaled-uint8-be', values('uint8'), LPS, endian='>', slope=2.0, inter=1.0, gz=False)
fixture('scaled-float32-nifti2', values('float32'), RAS, version=2, slope=1.7, inter=0.25)
fixture('scaled-int32', values('int32'), LPS, slope=0.001, inter=3.0)
fixture('scaled-float64-be', values('float64'), PERMUTED, endian='>', slope=3.3, inter=-1.0)
fixture('slope-zero', values('int16'), RAS, slope=0.0, inter=5.0)
fixture('slope-nan', values('int16'), RAS, slope=float('nan'), inter=5.0)
fixture('four-d', values('int16', SHAPE + (3,)), PERMUTED)
fixture('four-d-nifti2', values('float64', SHAPE + (2,)), LPS, version=2, endian='>')

json.dump(manifest, open(os.path.join(out, 'manifest.json'), 'w'), indent=1)
