import type { backend_util } from '@tensorflow/tfjs';

type Conv3DInfo = backend_util.Conv3DInfo;

/** Conv3D geometry in the order native/conv3d_cpu.cc's `Conv` reads it. */
export function convGeometry(info: Conv3DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inDepth,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outDepth,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterDepth,
    info.filterHeight,
    info.filterWidth,
    info.strideDepth,
    info.strideHeight,
    info.strideWidth,
    info.dilationDepth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.front,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

/** MaxPool3D geometry in the order native/conv3d_cpu.cc's `Pool` reads it. */
export function poolGeometry(info: Conv3DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inDepth,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outDepth,
    info.outHeight,
    info.outWidth,
    info.filterDepth,
    info.filterHeight,
    info.filterWidth,
    info.strideDepth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.front,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

/** Pads the native code can take: never negative (tfjs computes none for valid/same). */
export function hasPlainPadding(info: Conv3DInfo): boolean {
  const p = info.padInfo;
  return [p.front, p.back, p.top, p.bottom, p.left, p.right].every((v) => v >= 0);
}
