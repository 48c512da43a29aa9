// N-API entry points of the fast CPU kernels: Conv3D forward and both gradients, MaxPool3D forward
// and gradient, (fused) MatMul, and the element-wise ops and bias sums around them, on float32
// channels-last tensors. The TypeScript side
// computes all geometry with tfjs's own helpers and passes it in an Int32Array, allocates every
// output, and keeps the stock kernel for configurations it does not send here.
#include <node_api.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "elementwise.h"
#include "gemm_ops.h"

namespace {

const GemmOps* g_ops = &gemm_generic;
int g_threads = 1;

// Runs fn(part) for part in [0, parts) on up to `parts` threads, the caller's thread included.
template <typename Fn>
void parallel(int parts, const Fn& fn) {
  if (parts <= 1) {
    fn(0);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(parts - 1);
  for (int p = 1; p < parts; ++p) workers.emplace_back([&fn, p] { fn(p); });
  fn(0);
  for (auto& w : workers) w.join();
}

// Splits [0, n) into `parts` ranges whose inner boundaries are multiples of `align`.
std::pair<long, long> split(long n, int parts, int part, long align) {
  const long chunks = (n + align - 1) / align;
  const long lo = chunks * part / parts * align;
  const long hi = chunks * (part + 1) / parts * align;
  return {std::min(lo, n), std::min(hi, n)};
}

int threads_for(double flops) { return flops < 2e6 ? 1 : g_threads; }

long round_up(long v, long m) { return (v + m - 1) / m * m; }

struct Conv {
  int N, inD, inH, inW, C, outD, outH, outW, F, fD, fH, fW, sD, sH, sW, dD, dH, dW, pF, pT, pL;
  // Extent of the (possibly zero-padded) source volume the windows read from.
  int SD, SH, SW;
  bool padded;

  explicit Conv(const int32_t* g)
      : N(g[0]), inD(g[1]), inH(g[2]), inW(g[3]), C(g[4]), outD(g[5]), outH(g[6]), outW(g[7]), F(g[8]), fD(g[9]),
        fH(g[10]), fW(g[11]), sD(g[12]), sH(g[13]), sW(g[14]), dD(g[15]), dH(g[16]), dW(g[17]), pF(g[18]),
        pT(g[19]), pL(g[20]) {
    const int eD = (outD - 1) * sD + (fD - 1) * dD + 1;
    const int eH = (outH - 1) * sH + (fH - 1) * dH + 1;
    const int eW = (outW - 1) * sW + (fW - 1) * dW + 1;
    padded = pF > 0 || pT > 0 || pL > 0 || eD > inD || eH > inH || eW > inW;
    SD = padded ? eD : inD;
    SH = padded ? eH : inH;
    SW = padded ? eW : inW;
  }

  long K() const { return static_cast<long>(fD) * fH * fW * C; }
  long rows() const { return static_cast<long>(N) * outD * outH * outW; }
  long sourceSize() const { return static_cast<long>(N) * SD * SH * SW * C; }

  std::vector<long> rowBase() const {
    std::vector<long> base(rows());
    long m = 0;
    for (int n = 0; n < N; ++n)
      for (int d = 0; d < outD; ++d)
        for (int h = 0; h < outH; ++h)
          for (int w = 0; w < outW; ++w)
            base[m++] = (((static_cast<long>(n) * SD + d * sD) * SH + h * sH) * SW + w * sW) * C;
    return base;
  }

  // Offsets of the filter taps in tfjs's [fD, fH, fW, C, F] order.
  std::vector<int> tapOffsets() const {
    std::vector<int> off(K());
    int k = 0;
    for (int a = 0; a < fD; ++a)
      for (int b = 0; b < fH; ++b)
        for (int e = 0; e < fW; ++e)
          for (int c = 0; c < C; ++c) off[k++] = ((a * dD * SH + b * dH) * SW + e * dW) * C + c;
    return off;
  }

  // Copies x into the zero-padded source volume (toSource) or the reverse crop (fromSource).
  void copyVolume(const float* from, float* to, bool toSource) const {
    for (int n = 0; n < N; ++n)
      for (int d = 0; d < inD; ++d)
        for (int h = 0; h < inH; ++h) {
          const long xi = (((static_cast<long>(n) * inD + d) * inH + h) * inW) * C;
          const long si = (((static_cast<long>(n) * SD + d + pF) * SH + h + pT) * SW + pL) * C;
          const long len = static_cast<long>(inW) * C;
          if (toSource)
            std::memcpy(to + si, from + xi, len * sizeof(float));
          else
            std::memcpy(to + xi, from + si, len * sizeof(float));
        }
  }
};

void conv_forward(const Conv& g, const float* x, const float* w, float* y) {
  std::vector<float> source;
  const float* src = x;
  if (g.padded) {
    source.assign(g.sourceSize(), 0.f);
    g.copyVolume(x, source.data(), true);
    src = source.data();
  }
  const long K = g.K();
  const long ldb = round_up(g.F, g_ops->nr);
  std::vector<float> b(K * ldb, 0.f);
  for (long k = 0; k < K; ++k) std::memcpy(&b[k * ldb], w + k * g.F, g.F * sizeof(float));
  const std::vector<long> base = g.rowBase();
  const std::vector<int> off = g.tapOffsets();
  const long M = g.rows();
  const int parts = threads_for(2.0 * M * K * g.F);
  parallel(parts, [&](int p) {
    const auto [m0, m1] = split(M, parts, p, 16);
    g_ops->rows(m0, m1, src, base.data(), off.data(), static_cast<int>(K), b.data(), ldb, g.F, y, g.F);
  });
}

void conv_backprop_filter(const Conv& g, const float* x, const float* dy, float* dw) {
  std::vector<float> source;
  const float* src = x;
  if (g.padded) {
    source.assign(g.sourceSize(), 0.f);
    g.copyVolume(x, source.data(), true);
    src = source.data();
  }
  const long K = g.K();
  const long M = g.rows();
  const long ld = round_up(g.F, g_ops->nr);
  // The kernel reads whole micro-tile rows of dY: pad its rows when F is not a tile multiple.
  std::vector<float> dyPadded;
  const float* dyp = dy;
  if (ld != g.F) {
    dyPadded.assign(M * ld, 0.f);
    for (long m = 0; m < M; ++m) std::memcpy(&dyPadded[m * ld], dy + m * g.F, g.F * sizeof(float));
    dyp = dyPadded.data();
  }
  const std::vector<long> base = g.rowBase();
  const std::vector<int> off = g.tapOffsets();
  const int parts = threads_for(2.0 * M * K * g.F);
  std::vector<std::vector<float>> partial(parts, std::vector<float>(K * ld, 0.f));
  parallel(parts, [&](int p) {
    const auto [m0, m1] = split(M, parts, p, 256);
    g_ops->reduce(m0, m1, src, base.data(), off.data(), static_cast<int>(K), dyp, ld, g.F, partial[p].data(), ld);
  });
  for (long k = 0; k < K; ++k)
    for (int f = 0; f < g.F; ++f) {
      float s = 0.f;
      for (int p = 0; p < parts; ++p) s += partial[p][k * ld + f];
      dw[k * g.F + f] = s;
    }
}

void conv_backprop_input(const Conv& g, const float* dy, const float* w, float* dx) {
  std::vector<float> source;
  float* dst = dx;
  if (g.padded) {
    source.assign(g.sourceSize(), 0.f);
    dst = source.data();
  }
  const long K = g.K();
  const long ldwt = round_up(K, g_ops->nr);
  std::vector<float> wt(static_cast<long>(g.F) * ldwt, 0.f);
  for (long k = 0; k < K; ++k)
    for (int f = 0; f < g.F; ++f) wt[f * ldwt + k] = w[k * g.F + f];
  std::vector<int> ident(g.F);
  for (int f = 0; f < g.F; ++f) ident[f] = f;
  const std::vector<long> base = g.rowBase();
  const std::vector<int> off = g.tapOffsets();
  const long perSample = static_cast<long>(g.outD) * g.outH * g.outW;
  // Windows of different samples never overlap, so splitting by sample makes the scatter race-free.
  const int parts = std::min(threads_for(2.0 * g.rows() * K * g.F), g.N);
  parallel(parts, [&](int p) {
    const auto [n0, n1] = split(g.N, parts, p, 1);
    g_ops->scatter(n0 * perSample, n1 * perSample, dy, g.F, wt.data(), ldwt, ident.data(), dst, base.data(),
                   off.data(), static_cast<int>(K));
  });
  if (g.padded) g.copyVolume(source.data(), dx, false);
}

struct Pool {
  int N, inD, inH, inW, C, outD, outH, outW, fD, fH, fW, sD, sH, sW, pF, pT, pL;
  explicit Pool(const int32_t* g)
      : N(g[0]), inD(g[1]), inH(g[2]), inW(g[3]), C(g[4]), outD(g[5]), outH(g[6]), outW(g[7]), fD(g[8]), fH(g[9]),
        fW(g[10]), sD(g[11]), sH(g[12]), sW(g[13]), pF(g[14]), pT(g[15]), pL(g[16]) {}

  // Visits every output window of sample n as (output offset, [d0,d1)×[h0,h1)×[w0,w1) in x).
  template <typename Fn>
  void windows(int n, const Fn& fn) const {
    for (int od = 0; od < outD; ++od) {
      const int d0 = std::max(od * sD - pF, 0), d1 = std::min(od * sD - pF + fD, inD);
      for (int oh = 0; oh < outH; ++oh) {
        const int h0 = std::max(oh * sH - pT, 0), h1 = std::min(oh * sH - pT + fH, inH);
        for (int ow = 0; ow < outW; ++ow) {
          const int w0 = std::max(ow * sW - pL, 0), w1 = std::min(ow * sW - pL + fW, inW);
          const long out = (((static_cast<long>(n) * outD + od) * outH + oh) * outW + ow) * C;
          fn(out, d0, d1, h0, h1, w0, w1);
        }
      }
    }
  }
  long voxel(int n, int d, int h, int w) const {
    return (((static_cast<long>(n) * inD + d) * inH + h) * inW + w) * C;
  }
};

typedef float f4 __attribute__((vector_size(16)));
typedef int32_t i4 __attribute__((vector_size(16)));

// Same semantics as tfjs's cpu pool3d: NaN never wins, an empty window gives -Infinity.
void max_pool(const Pool& g, const float* x, float* y) {
  const int parts = std::min(g_threads, g.N);
  parallel(parts, [&](int p) {
    const auto [n0, n1] = split(g.N, parts, p, 1);
    for (long n = n0; n < n1; ++n)
      g.windows(static_cast<int>(n), [&](long out, int d0, int d1, int h0, int h1, int w0, int w1) {
        float* m = y + out;
        for (int c = 0; c < g.C; ++c) m[c] = -std::numeric_limits<float>::infinity();
        for (int d = d0; d < d1; ++d)
          for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) {
              const float* v = x + g.voxel(static_cast<int>(n), d, h, w);
              for (int c = 0; c < g.C; ++c) m[c] = v[c] > m[c] ? v[c] : m[c];
            }
      });
  });
}

// Routes each dy to its window's argmax. Ties go to the LAST maximum in (d, h, w) scan order
// and NaN never wins, exactly as tfjs's cpu maxPool3dPositions (`pixel >= maxValue`).
void max_pool_grad(const Pool& g, const float* dy, const float* x, float* dx) {
  constexpr int CB = 64;  // channels per pass, so the running maxima live on the stack
  const int parts = std::min(g_threads, g.N);
  parallel(parts, [&](int p) {
    const auto [n0, n1] = split(g.N, parts, p, 1);
    // The running argmax is kept with lane masks, four channels at a time: a branch per element
    // would be mispredicted about half the time.
    alignas(64) float best[CB];
    alignas(64) int32_t which[CB];
    std::vector<long> voxels(static_cast<size_t>(g.fD) * g.fH * g.fW);
    for (long n = n0; n < n1; ++n)
      g.windows(static_cast<int>(n), [&](long out, int d0, int d1, int h0, int h1, int w0, int w1) {
        int count = 0;
        for (int d = d0; d < d1; ++d)
          for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) voxels[count++] = g.voxel(static_cast<int>(n), d, h, w);
        for (int c0 = 0; c0 < g.C; c0 += CB) {
          const int cn = std::min(CB, g.C - c0);
          for (int c = 0; c < cn; ++c) {
            best[c] = -std::numeric_limits<float>::infinity();
            which[c] = -1;
          }
          for (int t = 0; t < count; ++t) {
            const float* v = x + voxels[t] + c0;
            int c = 0;
            for (; c + 4 <= cn; c += 4) {
              f4 vv, bb;
              i4 ww;
              std::memcpy(&vv, v + c, sizeof vv);
              std::memcpy(&bb, best + c, sizeof bb);
              std::memcpy(&ww, which + c, sizeof ww);
              const i4 take = vv >= bb;  // all-ones lanes where v >= best; NaN compares false
              const i4 tt = {t, t, t, t};
              const i4 nb = ((i4)vv & take) | ((i4)bb & ~take);
              const i4 nw = (tt & take) | (ww & ~take);
              std::memcpy(best + c, &nb, sizeof nb);
              std::memcpy(which + c, &nw, sizeof nw);
            }
            for (; c < cn; ++c)
              if (v[c] >= best[c]) {
                best[c] = v[c];
                which[c] = t;
              }
          }
          for (int c = 0; c < cn; ++c)
            if (which[c] >= 0) dx[voxels[which[c]] + c0 + c] += dy[out + c0 + c];
        }
      });
  });
}

// C[b] = op(A[b]) · op(B[b]) (+ bias, then relu), row-major; a batch stride of 0 broadcasts.
struct MatMul {
  int batch, M, K, N, transA, transB, strideA, strideB, hasBias, relu;
  explicit MatMul(const int32_t* g)
      : batch(g[0]), M(g[1]), K(g[2]), N(g[3]), transA(g[4]), transB(g[5]), strideA(g[6]), strideB(g[7]),
        hasBias(g[8]), relu(g[9]) {}
};

void mat_mul(const MatMul& g, const float* a, const float* b, const float* bias, float* c) {
  const long ldb = round_up(g.N, g_ops->nr);
  std::vector<float> bp(static_cast<long>(g.K) * ldb);
  std::vector<float> at(g.transA ? static_cast<long>(g.M) * g.K : 0);
  std::vector<long> base(g.M);
  for (int m = 0; m < g.M; ++m) base[m] = static_cast<long>(m) * g.K;
  std::vector<int> ident(g.K);
  for (int k = 0; k < g.K; ++k) ident[k] = k;
  for (int i = 0; i < g.batch; ++i) {
    const float* ai = a + static_cast<long>(i) * g.strideA;
    const float* bi = b + static_cast<long>(i) * g.strideB;
    float* ci = c + static_cast<long>(i) * g.M * g.N;
    std::fill(bp.begin(), bp.end(), 0.f);
    for (int k = 0; k < g.K; ++k)
      for (int n = 0; n < g.N; ++n)
        bp[k * ldb + n] = g.transB ? bi[static_cast<long>(n) * g.K + k] : bi[static_cast<long>(k) * g.N + n];
    if (g.transA) {
      for (int k = 0; k < g.K; ++k)
        for (int m = 0; m < g.M; ++m) at[static_cast<long>(m) * g.K + k] = ai[static_cast<long>(k) * g.M + m];
      ai = at.data();
    }
    const int parts = threads_for(2.0 * g.M * g.K * g.N);
    parallel(parts, [&](int p) {
      const auto [m0, m1] = split(g.M, parts, p, 16);
      g_ops->rows(m0, m1, ai, base.data(), ident.data(), g.K, bp.data(), ldb, g.N, ci, g.N);
      for (long m = m0; m < m1; ++m) {
        float* row = ci + m * g.N;
        if (g.hasBias)
          for (int n = 0; n < g.N; ++n) row[n] += bias[n];
        if (g.relu)
          for (int n = 0; n < g.N; ++n) row[n] = row[n] > 0.f ? row[n] : 0.f;
      }
    });
  }
}

// ---- N-API glue ----

void throw_error(napi_env env, const std::string& msg) { napi_throw_error(env, nullptr, msg.c_str()); }

template <typename T>
T* typed_array(napi_env env, napi_value v, napi_typedarray_type want, size_t minLength, const char* what) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) {
    throw_error(env, std::string("conv3d_cpu: ") + what + " must be a typed array");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr);
  if (type != want || length < minLength) {
    throw_error(env, std::string("conv3d_cpu: ") + what + " has the wrong type or length " +
                         std::to_string(length) + " < " + std::to_string(minLength));
    return nullptr;
  }
  return static_cast<T*>(data);
}

// A Float32Array's data and length (an empty one may have no data: callers never pass those).
float* float_array(napi_env env, napi_value v, size_t* length, const char* what) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type = napi_int8_array;
  void* data = nullptr;
  if (is) napi_get_typedarray_info(env, v, &type, length, &data, nullptr, nullptr);
  if (!is || type != napi_float32_array || data == nullptr) {
    throw_error(env, std::string("conv3d_cpu: ") + what + " must be a non-empty Float32Array");
    return nullptr;
  }
  return static_cast<float*>(data);
}

struct Args {
  napi_value v[5];
  size_t n = 5;
  Args(napi_env env, napi_callback_info info) { napi_get_cb_info(env, info, &n, v, nullptr, nullptr); }
};

const int32_t* geometry(napi_env env, napi_value v, size_t length) {
  return typed_array<int32_t>(env, v, napi_int32_array, length, "geometry");
}

napi_value Conv3DForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[3], 21);
  if (!geom) return nullptr;
  const Conv g(geom);
  const float* x = typed_array<float>(env, a.v[0], napi_float32_array,
                                      static_cast<size_t>(g.N) * g.inD * g.inH * g.inW * g.C, "x");
  const float* w = typed_array<float>(env, a.v[1], napi_float32_array, g.K() * g.F, "filter");
  float* y = typed_array<float>(env, a.v[2], napi_float32_array, g.rows() * g.F, "y");
  if (x && w && y) conv_forward(g, x, w, y);
  return nullptr;
}

napi_value Conv3DBackpropFilter(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[3], 21);
  if (!geom) return nullptr;
  const Conv g(geom);
  const float* x = typed_array<float>(env, a.v[0], napi_float32_array,
                                      static_cast<size_t>(g.N) * g.inD * g.inH * g.inW * g.C, "x");
  const float* dy = typed_array<float>(env, a.v[1], napi_float32_array, g.rows() * g.F, "dy");
  float* dw = typed_array<float>(env, a.v[2], napi_float32_array, g.K() * g.F, "dw");
  if (x && dy && dw) conv_backprop_filter(g, x, dy, dw);
  return nullptr;
}

napi_value Conv3DBackpropInput(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[3], 21);
  if (!geom) return nullptr;
  const Conv g(geom);
  const float* dy = typed_array<float>(env, a.v[0], napi_float32_array, g.rows() * g.F, "dy");
  const float* w = typed_array<float>(env, a.v[1], napi_float32_array, g.K() * g.F, "filter");
  float* dx = typed_array<float>(env, a.v[2], napi_float32_array,
                                 static_cast<size_t>(g.N) * g.inD * g.inH * g.inW * g.C, "dx");
  if (dy && w && dx) conv_backprop_input(g, dy, w, dx);
  return nullptr;
}

napi_value MaxPool3D(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[2], 17);
  if (!geom) return nullptr;
  const Pool g(geom);
  const float* x = typed_array<float>(env, a.v[0], napi_float32_array,
                                      static_cast<size_t>(g.N) * g.inD * g.inH * g.inW * g.C, "x");
  float* y = typed_array<float>(env, a.v[1], napi_float32_array,
                                static_cast<size_t>(g.N) * g.outD * g.outH * g.outW * g.C, "y");
  if (x && y) max_pool(g, x, y);
  return nullptr;
}

napi_value MaxPool3DGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[3], 17);
  if (!geom) return nullptr;
  const Pool g(geom);
  const size_t inSize = static_cast<size_t>(g.N) * g.inD * g.inH * g.inW * g.C;
  const float* dy = typed_array<float>(env, a.v[0], napi_float32_array,
                                       static_cast<size_t>(g.N) * g.outD * g.outH * g.outW * g.C, "dy");
  const float* x = typed_array<float>(env, a.v[1], napi_float32_array, inSize, "x");
  float* dx = typed_array<float>(env, a.v[2], napi_float32_array, inSize, "dx");
  if (dy && x && dx) max_pool_grad(g, dy, x, dx);
  return nullptr;
}

napi_value MatMulFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[4], 10);
  if (!geom) return nullptr;
  const MatMul g(geom);
  const size_t lastA = static_cast<size_t>(g.batch - 1) * g.strideA + static_cast<size_t>(g.M) * g.K;
  const size_t lastB = static_cast<size_t>(g.batch - 1) * g.strideB + static_cast<size_t>(g.K) * g.N;
  const float* am = typed_array<float>(env, a.v[0], napi_float32_array, lastA, "a");
  const float* bm = typed_array<float>(env, a.v[1], napi_float32_array, lastB, "b");
  // An empty bias array may have no data pointer at all, so it is only looked at when used.
  const float* bias = g.hasBias ? typed_array<float>(env, a.v[2], napi_float32_array, g.N, "bias") : nullptr;
  float* c = typed_array<float>(env, a.v[3], napi_float32_array, static_cast<size_t>(g.batch) * g.M * g.N, "c");
  if (am && bm && (bias || !g.hasBias) && c) mat_mul(g, am, bm, bias, c);
  return nullptr;
}

napi_value BinaryOpFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int32_t op = 0;
  napi_get_value_int32(env, a.v[0], &op);
  size_t aSize = 0, bSize = 0, outSize = 0;
  const float* x = float_array(env, a.v[1], &aSize, "a");
  const float* y = float_array(env, a.v[2], &bSize, "b");
  float* out = float_array(env, a.v[3], &outSize, "out");
  if (!x || !y || !out) return nullptr;
  if (op < 0 || op > 3 || aSize == 0 || bSize == 0 || outSize % aSize != 0 || outSize % bSize != 0 ||
      (aSize != outSize && bSize != outSize)) {
    throw_error(env, "conv3d_cpu: binaryOp got an unsupported operation or broadcast");
    return nullptr;
  }
  binary_op(static_cast<BinaryOp>(op), x, static_cast<long>(aSize), y, static_cast<long>(bSize), out,
            static_cast<long>(outSize), g_threads);
  return nullptr;
}

napi_value UnaryOpFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int32_t op = 0;
  double alpha = 0;
  napi_get_value_int32(env, a.v[0], &op);
  napi_get_value_double(env, a.v[3], &alpha);
  size_t n = 0, outSize = 0;
  const float* x = float_array(env, a.v[1], &n, "x");
  float* out = float_array(env, a.v[2], &outSize, "out");
  if (!x || !out) return nullptr;
  if ((op != 0 && op != 1) || outSize != n) {
    throw_error(env, "conv3d_cpu: unaryOp got an unsupported operation or size");
    return nullptr;
  }
  unary_op(static_cast<UnaryOp>(op), x, out, static_cast<long>(n), static_cast<float>(alpha), g_threads);
  return nullptr;
}

napi_value SumRowsFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0, cols = 0;
  const float* x = float_array(env, a.v[0], &n, "x");
  float* out = float_array(env, a.v[1], &cols, "out");
  if (!x || !out) return nullptr;
  if (cols == 0 || n % cols != 0) {
    throw_error(env, "conv3d_cpu: sumRows needs an input of whole rows");
    return nullptr;
  }
  sum_rows(x, out, static_cast<long>(n / cols), static_cast<long>(cols), g_threads);
  return nullptr;
}

const GemmOps* best_ops() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return &gemm_avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &gemm_avx2;
#endif
  return &gemm_generic;
}

// configure(isa: string, threads: number): isa '' keeps the best the CPU supports; an ISA the
// CPU lacks is refused, so tests can only force builds that are safe to run.
napi_value Configure(napi_env env, napi_callback_info info) {
  Args a(env, info);
  char isa[32] = {0};
  size_t len = 0;
  napi_get_value_string_utf8(env, a.v[0], isa, sizeof isa, &len);
  int32_t threads = 0;
  napi_get_value_int32(env, a.v[1], &threads);
  const GemmOps* best = best_ops();
  std::vector<const GemmOps*> allowed = {&gemm_generic};
#if defined(__x86_64__)
  if (best == &gemm_avx2 || best == &gemm_avx512) allowed.push_back(&gemm_avx2);
  if (best == &gemm_avx512) allowed.push_back(&gemm_avx512);
#endif
  const GemmOps* chosen = len == 0 ? best : nullptr;
  for (const GemmOps* o : allowed)
    if (len > 0 && std::strcmp(o->name, isa) == 0) chosen = o;
  if (!chosen) {
    throw_error(env, std::string("conv3d_cpu: instruction set '") + isa + "' is unknown or unsupported by this CPU");
    return nullptr;
  }
  g_ops = chosen;
  const unsigned hw = std::thread::hardware_concurrency();
  g_threads = threads > 0 ? threads : static_cast<int>(hw > 0 ? hw : 1);
  napi_value result, name, count;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, g_ops->name, NAPI_AUTO_LENGTH, &name);
  napi_create_int32(env, g_threads, &count);
  napi_set_named_property(env, result, "isa", name);
  napi_set_named_property(env, result, "threads", count);
  return result;
}

// Tensors of the seed model reach 35 MB; glibc serves blocks that large with fresh mmap'd pages
// and unmaps them on free, so every new tensor costs ~9000 first-touch page faults: measured at
// ~55 000 faults and two thirds of the CPU time of a training step. Serving them from the heap
// (and keeping freed heap memory) makes V8's ArrayBuffers reuse warm pages. This is process-wide:
// loading the addon opts the process in.
void keep_large_blocks_on_heap() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

napi_value Init(napi_env env, napi_value exports) {
  keep_large_blocks_on_heap();
  const napi_property_descriptor props[] = {
      {"configure", nullptr, Configure, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv3d", nullptr, Conv3DForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv3dBackpropFilter", nullptr, Conv3DBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv3dBackpropInput", nullptr, Conv3DBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool3d", nullptr, MaxPool3D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool3dGrad", nullptr, MaxPool3DGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, MatMulFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binaryOp", nullptr, BinaryOpFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unaryOp", nullptr, UnaryOpFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, SumRowsFn, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
