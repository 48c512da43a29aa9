// Conv3D forward, filter/bias gradient and input gradient on float32 channels-last tensors, as
// gather GEMMs (gemm_kernels.h) over the input or a zero-padded copy of it.
#pragma once

#include <cstdint>
#include <vector>

#include "context.h"

// The geometry tfjs's computeConv3DInfo gives, in the order src/fast-cpu/geometry.ts sends it.
struct Conv {
  int N, inD, inH, inW, C, outD, outH, outW, F, fD, fH, fW, sD, sH, sW, dD, dH, dW, pF, pT, pL;
  // Extent of the (possibly zero-padded) source volume the windows read from.
  int SD, SH, SW;
  bool padded;

  explicit Conv(const int32_t* g);

  long K() const { return static_cast<long>(fD) * fH * fW * C; }
  long rows() const { return static_cast<long>(N) * outD * outH * outW; }
  long inputSize() const { return static_cast<long>(N) * inD * inH * inW * C; }
  long sourceSize() const { return static_cast<long>(N) * SD * SH * SW * C; }
  // Window base of every output voxel in the source volume.
  std::vector<long> rowBase() const;
  // Offsets of the filter taps in tfjs's [fD, fH, fW, C, F] order.
  std::vector<int> tapOffsets() const;
};

// y = conv(x, w) (+ bias) (then relu), the bias and relu applied as each output tile is stored.
void conv_forward(Context& ctx, const Conv& g, const float* x, const float* w, const float* bias, int relu, float* y);

// dw = sum over output voxels of im2col(x) * dy', and db = sum of dy', where dy' is dy masked by
// ReLU (y > 0) when the forward output y is given. Either output may be null (not computed).
void conv_backprop_filter(Context& ctx, const Conv& g, const float* x, const float* dy, const float* y, float* dw,
                          float* db);

// dx = the gradient of conv(x, w) for dy' (dy masked by ReLU when y is given); every element of dx is written.
void conv_backprop_input(Context& ctx, const Conv& g, const float* dy, const float* w, const float* y, float* dx);
