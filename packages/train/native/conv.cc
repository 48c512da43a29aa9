#include "conv.h"

#include <algorithm>
#include <cstring>

#include "gemm_ops.h"
#include "work_split.h"

Conv::Conv(const int32_t* g)
    : N(g[0]), inD(g[1]), inH(g[2]), inW(g[3]), C(g[4]), outD(g[5]), outH(g[6]), outW(g[7]), F(g[8]), fD(g[9]),
      fH(g[10]), fW(g[11]), sD(g[12]), sH(g[13]), sW(g[14]), dD(g[15]), dH(g[16]), dW(g[17]), pF(g[18]), pT(g[19]),
      pL(g[20]) {
  const int eD = (outD - 1) * sD + (fD - 1) * dD + 1;
  const int eH = (outH - 1) * sH + (fH - 1) * dH + 1;
  const int eW = (outW - 1) * sW + (fW - 1) * dW + 1;
  padded = pF > 0 || pT > 0 || pL > 0 || eD > inD || eH > inH || eW > inW;
  SD = padded ? std::max(eD, pF + inD) : inD;
  SH = padded ? std::max(eH, pT + inH) : inH;
  SW = padded ? std::max(eW, pL + inW) : inW;
}

std::vector<long> Conv::rowBase() const {
  std::vector<long> base(rows());
  long m = 0;
  for (int n = 0; n < N; ++n)
    for (int d = 0; d < outD; ++d)
      for (int h = 0; h < outH; ++h)
        for (int w = 0; w < outW; ++w)
          base[m++] = (((static_cast<long>(n) * SD + d * sD) * SH + h * sH) * SW + w * sW) * C;
  return base;
}

std::vector<int> Conv::tapOffsets() const {
  std::vector<int> off(K());
  int k = 0;
  for (int a = 0; a < fD; ++a)
    for (int b = 0; b < fH; ++b)
      for (int e = 0; e < fW; ++e)
        for (int c = 0; c < C; ++c) off[k++] = ((a * dD * SH + b * dH) * SW + e * dW) * C + c;
  return off;
}

namespace {

// Parts for a pass over `units` independent units: a few per thread, so that the pool's threads
// take them as they finish and a thread the OS deschedules holds up at most one small part.
int parts_for(const Context& ctx, double flops, long units) {
  if (threads_for(ctx, flops) == 1) return 1;
  return static_cast<int>(std::max(1L, std::min<long>(4L * ctx.threads, units)));
}

// dy where the ReLU let the forward value through, else 0: tfjs's dy * step(x), with y = relu(x)
// standing in for x (y > 0 exactly where x > 0; a NaN y is a NaN x). As gemm_kernels.h's.
inline float relu_masked(float dy, float y) { return y > 0.f ? dy : (y != y ? y : dy * 0.f); }

// relu_masked over n values, four at a time with lane masks (the compiler leaves the scalar
// form's branches in place).
void relu_masked_copy(const float* dy, const float* y, float* out, long n) {
  typedef float f4 __attribute__((vector_size(16)));
  typedef int32_t i4 __attribute__((vector_size(16)));
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 d, m;
    std::memcpy(&d, dy + i, sizeof d);
    std::memcpy(&m, y + i, sizeof m);
    const i4 pass = m > 0.f, nan = m != m;
    const i4 zero = (i4)(d * 0.f);
    const i4 r = (pass & (i4)d) | (~pass & ((nan & (i4)m) | (~nan & zero)));
    std::memcpy(out + i, &r, sizeof r);
  }
  for (; i < n; ++i) out[i] = relu_masked(dy[i], y[i]);
}

// Writes sample n's source volume of g into s: x (masked by relu_masked against `mask`, same
// layout as x, when given) inside, zeros in the padding around it. Every element is written
// exactly once, so the buffer is never cleared as a whole.
void fill_sample(const Conv& g, const float* x, const float* mask, long n, float* s) {
  const long C = g.C;
  const long plane = static_cast<long>(g.SH) * g.SW * C, row = static_cast<long>(g.SW) * C;
  const long len = static_cast<long>(g.inW) * C;
  for (int d = 0; d < g.SD; ++d) {
    float* sp = s + d * plane;
    const int xd = d - g.pF;
    if (xd < 0 || xd >= g.inD) {
      std::memset(sp, 0, plane * sizeof(float));
      continue;
    }
    for (int h = 0; h < g.SH; ++h) {
      float* sr = sp + h * row;
      const int xh = h - g.pT;
      if (xh < 0 || xh >= g.inH) {
        std::memset(sr, 0, row * sizeof(float));
        continue;
      }
      const long xi = ((n * g.inD + xd) * g.inH + xh) * len;
      float* dst = sr + g.pL * C;
      std::memset(sr, 0, g.pL * C * sizeof(float));
      if (mask)
        relu_masked_copy(x + xi, mask + xi, dst, len);
      else
        std::memcpy(dst, x + xi, len * sizeof(float));
      std::memset(dst + len, 0, (row - g.pL * C - len) * sizeof(float));
    }
  }
}

// g for one sample: the window bases and tap offsets of per-sample work.
Conv one_sample(const Conv& g) {
  Conv s = g;
  s.N = 1;
  return s;
}

// How for_each_sample cuts the batch: `parts` parts, each `chunks` row ranges of one sample when
// there are fewer samples than parts would need (so a small batch still uses every thread), else
// ranges of whole samples.
struct SampleParts {
  int parts, chunks;
};

SampleParts sample_parts(const Context& ctx, const Conv& g, double flops) {
  const int want = parts_for(ctx, flops, 4L * ctx.threads);
  if (g.N >= want) return {want, 1};
  // Each chunk fills its own copy of its sample: two per thread are enough to balance the load.
  const int chunks = (std::min(want, 2 * ctx.threads) + g.N - 1) / g.N;
  return {g.N * chunks, chunks};
}

// Runs body(part, n, src, r0, r1) for output rows [r0, r1) of every sample n, over the pool's
// threads, where src is sample n's source volume: a padded (or masked) copy made in the part's own
// slice of the context's buffer, used while it is still in cache (one sample's volume fits in L2,
// where a padded copy of the whole batch would go to memory and back).
template <typename Body>
void for_each_sample(Context& ctx, const Conv& g, const float* x, const float* mask, SampleParts sp,
                     const Body& body) {
  const long per = one_sample(g).sourceSize();
  const long perRows = one_sample(g).rows();
  if (ctx.padded.size() < static_cast<size_t>(per * sp.parts)) ctx.padded.resize(per * sp.parts);
  float* buffers = ctx.padded.data();
  ctx.pool.run(sp.parts, [&](int p) {
    float* src = buffers + p * per;
    if (sp.chunks > 1) {
      const long n = p / sp.chunks;
      const auto [r0, r1] = split(perRows, sp.chunks, p % sp.chunks, 16);
      fill_sample(g, x, mask, n, src);
      body(p, n, static_cast<const float*>(src), r0, r1);
      return;
    }
    const auto [n0, n1] = split(g.N, sp.parts, p, 1);
    for (long n = n0; n < n1; ++n) {
      fill_sample(g, x, mask, n, src);
      body(p, n, static_cast<const float*>(src), 0L, perRows);
    }
  });
}

// Vectors per row of the paired-tap forward for g (gemm_kernels.h), or 0 where it does not apply
// or would not save lanes: it needs taps in adjacent pairs (an even number of input channels) and
// pays off where F fills a whole tile poorly (24 channels use 24 lanes of 32 on AVX-512).
int pair_vectors(const GemmOps* ops, const Conv& g) {
  if (g.C % 2 != 0) return 0;
  const int pv = static_cast<int>((2L * g.F + ops->vw - 1) / ops->vw);
  if (pv < 2 || pv > 3) return 0;
  return pv * ops->vw / 2 < round_up(g.F, ops->nr) ? pv : 0;
}

// y[m][0..F) = sum_k x'(m, k) w[k][..] (+ bias) (then relu) for every output voxel m of g, where x'
// is x masked by relu_masked against `mask` when given; w is the K x F filter matrix in tfjs's
// order, packed here for the tiles. Without padding or mask the windows read x itself and the
// rows are split over the pool; otherwise the work goes sample by sample (for_each_sample).
void gather_forward(Context& ctx, const Conv& g, const float* x, const float* mask, const float* w,
                    const float* bias, int relu, float* y) {
  const GemmOps* ops = ctx.ops;
  const long K = g.K();
  const bool direct = !g.padded && !mask;
  const Conv unit = direct ? g : one_sample(g);
  const std::vector<long> base = unit.rowBase();
  const std::vector<int> off = unit.tapOffsets();
  const long M = g.rows(), perSample = unit.rows();
  const int pv = pair_vectors(ops, g);
  const bool wide3 = pv == 0 && ops->rows3 != nullptr && round_up(g.F, ops->nr3) < round_up(g.F, ops->nr);
  const long width =
      pv > 0 ? static_cast<long>(pv) * ops->vw : round_up(g.F, wide3 ? ops->nr3 : ops->nr);
  std::vector<float> b(pv > 0 ? K / 2 * width : K * width, 0.f);
  std::vector<int> off2(pv > 0 ? K / 2 : 0);
  if (pv > 0) {
    for (long j = 0; j < K / 2; ++j) {
      off2[j] = off[2 * j];
      for (int f = 0; f < g.F; ++f) {
        b[j * width + 2 * f] = w[2 * j * g.F + f];
        b[j * width + 2 * f + 1] = w[(2 * j + 1) * g.F + f];
      }
    }
  } else {
    for (long k = 0; k < K; ++k) std::memcpy(&b[k * width], w + k * g.F, g.F * sizeof(float));
  }
  // Rows [m0, m1) of `unit` read from src, written from out on.
  const auto rows = [&](long m0, long m1, const float* src, float* out) {
    if (pv > 0)
      ops->pairRows(m0, m1, src, base.data(), off2.data(), static_cast<int>(K / 2), b.data(), pv, g.F, out, g.F,
                    bias, relu);
    else
      (wide3 ? ops->rows3 : ops->rows)(m0, m1, src, base.data(), off.data(), static_cast<int>(K), b.data(), width,
                                       g.F, out, g.F, bias, relu);
  };
  if (direct) {
    const int parts = parts_for(ctx, 2.0 * M * K * g.F, (M + 63) / 64);
    ctx.pool.run(parts, [&](int p) {
      const auto [m0, m1] = split(M, parts, p, 16);
      rows(m0, m1, x, y);
    });
    return;
  }
  for_each_sample(ctx, g, x, mask, sample_parts(ctx, g, 2.0 * M * K * g.F),
                  [&](int, long n, const float* src, long r0, long r1) {
                    rows(r0, r1, src, y + n * perSample * g.F);
                  });
}

// The input gradient of a stride-1 undilated conv is the 'full' correlation of dy' with the
// filter flipped in space and transposed in channels: a forward pass over dy' padded by
// f - 1 - pad before (and whatever completes the input's extent after), writing dx directly,
// with no scatter and no zeroed dx. Taken only where it does about the scatter's arithmetic
// ('same'-like: as many input voxels as output voxels; a 'valid' conv's transpose would also
// multiply its whole zero border) and where dx's channels fill at least half a tile's lanes.
bool backprop_input_as_forward(Context& ctx, const Conv& g, const float* dy, const float* w, const float* y,
                               float* dx) {
  if (g.sD != 1 || g.sH != 1 || g.sW != 1 || g.dD != 1 || g.dH != 1 || g.dW != 1) return false;
  const long inVoxels = static_cast<long>(g.inD) * g.inH * g.inW;
  const long outVoxels = static_cast<long>(g.outD) * g.outH * g.outW;
  if (8 * inVoxels > 9 * outVoxels || 2 * g.C < ctx.ops->nr) return false;
  // dy is the transposed conv's input and dx its output; strides and dilations 1; pads f - 1 - pad.
  const int32_t geom[21] = {g.N, g.outD, g.outH, g.outW, g.F, g.inD, g.inH, g.inW, g.C, g.fD, g.fH, g.fW, 1, 1, 1, 1,
                            1,   1,      g.fD - 1 - g.pF, g.fH - 1 - g.pT, g.fW - 1 - g.pL};
  if (geom[18] < 0 || geom[19] < 0 || geom[20] < 0) return false;
  const Conv t(geom);
  const long taps = static_cast<long>(g.fD) * g.fH * g.fW;
  std::vector<float> b(taps * g.F * g.C);
  for (int a = 0; a < g.fD; ++a)
    for (int e = 0; e < g.fH; ++e)
      for (int i = 0; i < g.fW; ++i) {
        const long flipped = ((static_cast<long>(g.fD - 1 - a) * g.fH + (g.fH - 1 - e)) * g.fW + (g.fW - 1 - i));
        const long tap = (static_cast<long>(a) * g.fH + e) * g.fW + i;
        for (int c = 0; c < g.C; ++c)
          for (int f = 0; f < g.F; ++f) b[(tap * g.F + f) * g.C + c] = w[(flipped * g.C + c) * g.F + f];
      }
  gather_forward(ctx, t, dy, y, b.data(), nullptr, 0, dx);
  return true;
}

// Any other conv: dx = col2im(dy' * w^T), scattered into a zeroed source volume then cropped.
void backprop_input_scatter(Context& ctx, const Conv& g, const float* dy, const float* w, const float* y, float* dx) {
  const GemmOps* ops = ctx.ops;
  float* dst = dx;
  if (g.padded) {
    if (ctx.padded.size() < static_cast<size_t>(g.sourceSize())) ctx.padded.resize(g.sourceSize());
    dst = ctx.padded.data();
  }
  std::memset(dst, 0, (g.padded ? g.sourceSize() : g.inputSize()) * sizeof(float));
  const long K = g.K();
  const long ldwt = round_up(K, ops->nr);
  std::vector<float> wt(static_cast<long>(g.F) * ldwt, 0.f);
  for (long k = 0; k < K; ++k)
    for (int f = 0; f < g.F; ++f) wt[f * ldwt + k] = w[k * g.F + f];
  std::vector<int> ident(g.F);
  for (int f = 0; f < g.F; ++f) ident[f] = f;
  const std::vector<long> base = g.rowBase();
  const std::vector<int> off = g.tapOffsets();
  const long perSample = static_cast<long>(g.outD) * g.outH * g.outW;
  // Windows of different samples never overlap, so splitting by sample makes the scatter race-free.
  const int parts = parts_for(ctx, 2.0 * g.rows() * K * g.F, g.N);
  ctx.pool.run(parts, [&](int p) {
    const auto [n0, n1] = split(g.N, parts, p, 1);
    ops->scatter(n0 * perSample, n1 * perSample, dy, y, g.F, wt.data(), ldwt, ident.data(), dst, base.data(),
                 off.data(), static_cast<int>(K));
  });
  if (!g.padded) return;
  for (int n = 0; n < g.N; ++n)
    for (int d = 0; d < g.inD; ++d)
      for (int h = 0; h < g.inH; ++h) {
        const long xi = (((static_cast<long>(n) * g.inD + d) * g.inH + h) * g.inW) * g.C;
        const long si = (((static_cast<long>(n) * g.SD + d + g.pF) * g.SH + h + g.pT) * g.SW + g.pL) * g.C;
        std::memcpy(dx + xi, dst + si, static_cast<long>(g.inW) * g.C * sizeof(float));
      }
}

}  // namespace

void conv_forward(Context& ctx, const Conv& g, const float* x, const float* w, const float* bias, int relu, float* y) {
  gather_forward(ctx, g, x, nullptr, w, bias, relu, y);
}

void conv_backprop_filter(Context& ctx, const Conv& g, const float* x, const float* dy, const float* y, float* dw,
                          float* db) {
  const GemmOps* ops = ctx.ops;
  const long K = g.K();
  const long M = g.rows();
  const long ld = round_up(g.F, ops->nr);
  // Unpadded, the windows read x itself and the voxels are split over the pool; padded, the work
  // goes sample by sample through a cached copy (for_each_sample).
  const bool direct = !g.padded;
  const Conv unit = direct ? g : one_sample(g);
  const std::vector<long> base = unit.rowBase();
  const std::vector<int> off = unit.tapOffsets();
  const long perSample = unit.rows();
  // One accumulator per part (not per thread): the sum over parts then runs in part order, so the
  // result does not depend on which thread took which part.
  const SampleParts sp = sample_parts(ctx, g, 2.0 * M * K * g.F);
  const int parts = direct ? parts_for(ctx, 2.0 * M * K * g.F, (M + 255) / 256) : sp.parts;
  // Paired taps keep dW interleaved: taps 2j and 2j + 1 of column f at [j][2f] and [j][2f + 1].
  const int pv = pair_vectors(ops, g);
  const long rowsOf = pv > 0 ? K / 2 : K, width = pv > 0 ? static_cast<long>(pv) * ops->vw : ld;
  std::vector<std::vector<float>> partial(parts, std::vector<float>(rowsOf * width, 0.f));
  std::vector<std::vector<double>> partialBias(parts, std::vector<double>(db ? g.F : 0, 0.0));
  // Output voxels [m0, m1) of `unit`, windows in src, their dy and y from row 0 of d and m on.
  const auto reduce = [&](int p, long m0, long m1, const float* src, const float* d, const float* m) {
    double* bias = db ? partialBias[p].data() : nullptr;
    if (pv > 0)
      ops->pairReduce(m0, m1, src, base.data(), off.data(), static_cast<int>(K), d, m, pv, g.F, partial[p].data(),
                      bias);
    else
      ops->reduce(m0, m1, src, base.data(), off.data(), static_cast<int>(K), d, m, g.F, partial[p].data(), ld, bias);
  };
  if (direct) {
    ctx.pool.run(parts, [&](int p) {
      const auto [m0, m1] = split(M, parts, p, 256);
      reduce(p, m0, m1, x, dy, y);
    });
  } else {
    for_each_sample(ctx, g, x, nullptr, sp, [&](int p, long n, const float* src, long r0, long r1) {
      const long at = n * perSample * g.F;
      reduce(p, r0, r1, src, dy + at, y ? y + at : nullptr);
    });
  }
  if (dw)
    for (long k = 0; k < K; ++k)
      for (int f = 0; f < g.F; ++f) {
        const long at = pv > 0 ? k / 2 * width + 2 * f + k % 2 : k * ld + f;
        float s = 0.f;
        for (int p = 0; p < parts; ++p) s += partial[p][at];
        dw[k * g.F + f] = s;
      }
  if (db)
    for (int f = 0; f < g.F; ++f) {
      double s = 0.0;
      for (int p = 0; p < parts; ++p) s += partialBias[p][f];
      db[f] = static_cast<float>(s);
    }
}

void conv_backprop_input(Context& ctx, const Conv& g, const float* dy, const float* w, const float* y, float* dx) {
  if (!backprop_input_as_forward(ctx, g, dy, w, y, dx)) backprop_input_scatter(ctx, g, dy, w, y, dx);
}
