// N-API entry points of the fast CPU kernels: Conv3D forward and both gradients, MaxPool3D forward
// and gradient, (fused) MatMul, and the element-wise ops and bias sums around them, on float32
// channels-last tensors. The TypeScript side
// computes all geometry with tfjs's own helpers and passes it in an Int32Array, allocates every
// output, and keeps the stock kernel for configurations it does not send here.
#include <node_api.h>

#if defined(__linux__)
#include <sched.h>
#include <sys/mman.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "adam.h"
#include "batch_norm.h"
#include "concat.h"
#include "gather.h"
#include "context.h"
#include "conv.h"
#include "elementwise.h"
#include "gemm_ops.h"
#include "work_split.h"

namespace {

template <typename Fn>
void parallel(Context& ctx, int parts, const Fn& fn) {
  ctx.pool.run(parts, fn);
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

// For every output window of samples [n0, n1): fn(out, voxels, best, which, c0, cn) per block of
// up to CB channels, where best[c] is the window's maximum and which[c] the index in voxels[] of
// its LAST maximum in (d, h, w) scan order (-1 for an empty window, or one of only NaNs): the
// `pixel >= maxValue` rule of tfjs's cpu maxPool3dPositions, so NaN never wins and the maxima are
// tfjs's pool3d values.
constexpr int CB = 64;
template <typename Fn>
void pool_argmax(const Pool& g, const float* x, long n0, long n1, const Fn& fn) {
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
        fn(out, voxels.data(), best, which, c0, cn);
      }
    });
}

// y = the windows' maxima (tfjs's cpu pool3d: NaN never wins, an empty window gives -Infinity);
// with argmax set, also each maximum's flat index in x (-1: none), for max_pool_grad_argmax.
void max_pool(Context& ctx, const Pool& g, const float* x, float* y, int32_t* argmax) {
  const int parts = ctx.pool.parts(g.N);
  parallel(ctx, parts, [&](int p) {
    const auto [n0, n1] = split(g.N, parts, p, 1);
    pool_argmax(g, x, n0, n1, [&](long out, const long* voxels, const float* best, const int32_t* which, int c0,
                                  int cn) {
      for (int c = 0; c < cn; ++c) y[out + c0 + c] = best[c];
      if (argmax)
        for (int c = 0; c < cn; ++c)
          argmax[out + c0 + c] = which[c] >= 0 ? static_cast<int32_t>(voxels[which[c]] + c0 + c) : -1;
    });
  });
}

// Routes each dy to its window's argmax, recomputed from x (see pool_argmax for the tie rule).
// dx need not be zeroed: each sample's slice is zeroed just before its scatter, while it is in
// cache, so the activation-sized dx goes to memory once (a separate zero-fill wrote it twice).
void max_pool_grad(Context& ctx, const Pool& g, const float* dy, const float* x, float* dx) {
  const int parts = ctx.pool.parts(g.N);
  const long perIn = static_cast<long>(g.inD) * g.inH * g.inW * g.C;
  parallel(ctx, parts, [&](int p) {
    const auto [n0, n1] = split(g.N, parts, p, 1);
    for (long n = n0; n < n1; ++n) {
      std::memset(dx + n * perIn, 0, perIn * sizeof(float));
      pool_argmax(g, x, n, n + 1, [&](long out, const long* voxels, const float*, const int32_t* which, int c0, int cn) {
        for (int c = 0; c < cn; ++c)
          if (which[c] >= 0) dx[voxels[which[c]] + c0 + c] += dy[out + c0 + c];
      });
    }
  });
}

// The same from the argmax max_pool kept: dx = 0, then += dy at each argmax, sample by sample as
// above. Every argmax of sample n lies in sample n, so splitting by sample is race-free.
void max_pool_grad_argmax(Context& ctx, long samples, long outPerSample, long inPerSample, const float* dy,
                          const int32_t* argmax, float* dx) {
  const int parts = ctx.pool.parts(samples);
  parallel(ctx, parts, [&](int p) {
    const auto [n0, n1] = split(samples, parts, p, 1);
    for (long n = n0; n < n1; ++n) {
      std::memset(dx + n * inPerSample, 0, inPerSample * sizeof(float));
      for (long i = n * outPerSample; i < (n + 1) * outPerSample; ++i)
        if (argmax[i] >= 0) dx[argmax[i]] += dy[i];
    }
  });
}

// C[b] = op(A[b]) · op(B[b]) (+ bias, then relu), row-major; a batch stride of 0 broadcasts.
struct MatMul {
  int batch, M, K, N, transA, transB, strideA, strideB, hasBias, relu;
  explicit MatMul(const int32_t* g)
      : batch(g[0]), M(g[1]), K(g[2]), N(g[3]), transA(g[4]), transB(g[5]), strideA(g[6]), strideB(g[7]),
        hasBias(g[8]), relu(g[9]) {}
};

void mat_mul(Context& ctx, const MatMul& g, const float* a, const float* b, const float* bias, float* c) {
  const GemmOps* ops = ctx.ops;
  const long ldb = round_up(g.N, ops->nr);
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
    const int parts = threads_for(ctx, 2.0 * g.M * g.K * g.N);
    parallel(ctx, parts, [&](int p) {
      const auto [m0, m1] = split(g.M, parts, p, 16);
      ops->rows(m0, m1, ai, base.data(), ident.data(), g.K, bp.data(), ldb, g.N, ci, g.N, g.hasBias ? bias : nullptr,
                g.relu);
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

// An optional Float32Array: empty means absent (*out = nullptr); otherwise at least minLength.
bool optional_floats(napi_env env, napi_value v, size_t minLength, const char* what, float** out) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  if (is) napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr);
  if (!is || type != napi_float32_array || (length > 0 && length < minLength)) {
    throw_error(env, std::string("conv3d_cpu: ") + what + " must be an empty Float32Array or one of at least " +
                         std::to_string(minLength) + " values");
    return false;
  }
  *out = length > 0 ? static_cast<float*>(data) : nullptr;
  return true;
}

struct Args {
  napi_value v[8];
  size_t n = 8;
  Context* ctx = nullptr;
  Args(napi_env env, napi_callback_info info) {
    napi_get_cb_info(env, info, &n, v, nullptr, nullptr);
    void* data = nullptr;
    napi_get_instance_data(env, &data);
    ctx = static_cast<Context*>(data);
  }
};

const int32_t* geometry(napi_env env, napi_value v, size_t length) {
  return typed_array<int32_t>(env, v, napi_int32_array, length, "geometry");
}

// Large outputs are fresh, untouched memory (V8 callocs them; glibc maps blocks this big anew),
// so writing them first costs one page fault per 4 KB: ~9000 for one 35 MB activation of the seed
// model, a sixth of a step's CPU time. Asking for transparent huge pages on the whole 2 MB pages
// inside the array makes that ~17 faults. It only advises the kernel about this array's own
// pages (nothing process-wide), and is skipped where THP is off or not Linux.
void advise_huge_pages(void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t HUGE = 2u << 20;
  if (bytes < 4 * HUGE) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + HUGE - 1) & ~(HUGE - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(HUGE - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

size_t input_size(const Conv& g) { return static_cast<size_t>(g.N) * g.inD * g.inH * g.inW * g.C; }

// conv3d(x, filter, bias, y, geometry, relu): bias may be empty (none).
napi_value Conv3DForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[4], 21);
  if (!geom) return nullptr;
  const Conv g(geom);
  bool relu = false;
  napi_get_value_bool(env, a.v[5], &relu);
  const float* x = typed_array<float>(env, a.v[0], napi_float32_array, input_size(g), "x");
  const float* w = x ? typed_array<float>(env, a.v[1], napi_float32_array, g.K() * g.F, "filter") : nullptr;
  float* bias = nullptr;
  if (!w || !optional_floats(env, a.v[2], g.F, "bias", &bias)) return nullptr;
  float* y = typed_array<float>(env, a.v[3], napi_float32_array, g.rows() * g.F, "y");
  if (!y) return nullptr;
  advise_huge_pages(y, g.rows() * g.F * sizeof(float));
  conv_forward(*a.ctx, g, x, w, bias, relu ? 1 : 0, y);
  return nullptr;
}

// conv3dBackpropFilter(x, dy, y, dw, db, geometry): y (the ReLU mask source), dw and db may each
// be empty (no mask / not wanted).
napi_value Conv3DBackpropFilter(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[5], 21);
  if (!geom) return nullptr;
  const Conv g(geom);
  const float* x = typed_array<float>(env, a.v[0], napi_float32_array, input_size(g), "x");
  const float* dy = x ? typed_array<float>(env, a.v[1], napi_float32_array, g.rows() * g.F, "dy") : nullptr;
  float *y = nullptr, *dw = nullptr, *db = nullptr;
  if (!dy || !optional_floats(env, a.v[2], g.rows() * g.F, "y", &y) ||
      !optional_floats(env, a.v[3], g.K() * g.F, "dw", &dw) || !optional_floats(env, a.v[4], g.F, "db", &db))
    return nullptr;
  if (dw || db) conv_backprop_filter(*a.ctx, g, x, dy, y, dw, db);
  return nullptr;
}

// conv3dBackpropInput(dy, filter, y, dx, geometry): y (the ReLU mask source) may be empty.
napi_value Conv3DBackpropInput(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[4], 21);
  if (!geom) return nullptr;
  const Conv g(geom);
  const float* dy = typed_array<float>(env, a.v[0], napi_float32_array, g.rows() * g.F, "dy");
  const float* w = dy ? typed_array<float>(env, a.v[1], napi_float32_array, g.K() * g.F, "filter") : nullptr;
  float* y = nullptr;
  if (!w || !optional_floats(env, a.v[2], g.rows() * g.F, "y", &y)) return nullptr;
  float* dx = typed_array<float>(env, a.v[3], napi_float32_array, input_size(g), "dx");
  if (!dx) return nullptr;
  advise_huge_pages(dx, input_size(g) * sizeof(float));
  conv_backprop_input(*a.ctx, g, dy, w, y, dx);
  return nullptr;
}

// maxPool3d(x, y, argmax, geometry): argmax (Int32Array, one per output) may be empty.
napi_value MaxPool3D(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int32_t* geom = geometry(env, a.v[3], 17);
  if (!geom) return nullptr;
  const Pool g(geom);
  const size_t outSize = static_cast<size_t>(g.N) * g.outD * g.outH * g.outW * g.C;
  const float* x = typed_array<float>(env, a.v[0], napi_float32_array,
                                      static_cast<size_t>(g.N) * g.inD * g.inH * g.inW * g.C, "x");
  float* y = x ? typed_array<float>(env, a.v[1], napi_float32_array, outSize, "y") : nullptr;
  if (!y) return nullptr;
  size_t argLength = 0;
  void* argData = nullptr;
  napi_typedarray_type type = napi_int8_array;
  bool is = false;
  napi_is_typedarray(env, a.v[2], &is);
  if (is) napi_get_typedarray_info(env, a.v[2], &type, &argLength, &argData, nullptr, nullptr);
  if (!is || type != napi_int32_array || (argLength > 0 && argLength < outSize)) {
    throw_error(env, "conv3d_cpu: argmax must be an empty Int32Array or one per output value");
    return nullptr;
  }
  max_pool(*a.ctx, g, x, y, argLength > 0 ? static_cast<int32_t*>(argData) : nullptr);
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
  if (!dy || !x || !dx) return nullptr;
  advise_huge_pages(dx, inSize * sizeof(float));
  max_pool_grad(*a.ctx, g, dy, x, dx);
  return nullptr;
}

// maxPool3dGradArgmax(dy, argmax, dx, samples): dx = dy at the argmax maxPool3d kept, 0 elsewhere.
napi_value MaxPool3DGradArgmax(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t outSize = 0, inSize = 0;
  const float* dy = float_array(env, a.v[0], &outSize, "dy");
  const int32_t* argmax = dy ? typed_array<int32_t>(env, a.v[1], napi_int32_array, outSize, "argmax") : nullptr;
  float* dx = argmax ? float_array(env, a.v[2], &inSize, "dx") : nullptr;
  if (!dx) return nullptr;
  int32_t samples = 0;
  napi_get_value_int32(env, a.v[3], &samples);
  if (samples <= 0 || outSize % samples != 0 || inSize % samples != 0) {
    throw_error(env, "conv3d_cpu: maxPool3dGradArgmax needs a positive sample count dividing both sizes");
    return nullptr;
  }
  // Every index is bounds-checked first, so a stale or foreign argmax can never write outside dx.
  const long perIn = static_cast<long>(inSize / samples), perOut = static_cast<long>(outSize / samples);
  for (size_t i = 0; i < outSize; ++i) {
    const long lo = static_cast<long>(i) / perOut * perIn;
    if (argmax[i] >= 0 && (argmax[i] < lo || argmax[i] >= lo + perIn)) {
      throw_error(env, "conv3d_cpu: argmax index outside its sample");
      return nullptr;
    }
  }
  advise_huge_pages(dx, inSize * sizeof(float));
  max_pool_grad_argmax(*a.ctx, samples, perOut, perIn, dy, argmax, dx);
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
  if (am && bm && (bias || !g.hasBias) && c) mat_mul(*a.ctx, g, am, bm, bias, c);
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
  if (op < 0 || op > 4 || aSize == 0 || bSize == 0 || outSize % aSize != 0 || outSize % bSize != 0 ||
      (aSize != outSize && bSize != outSize)) {
    throw_error(env, "conv3d_cpu: binaryOp got an unsupported operation or broadcast");
    return nullptr;
  }
  advise_huge_pages(out, outSize * sizeof(float));
  binary_op(static_cast<BinaryOp>(op), x, static_cast<long>(aSize), y, static_cast<long>(bSize), out,
            static_cast<long>(outSize), a.ctx->pool);
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
  if (op < 0 || op > 4 || outSize != n) {
    throw_error(env, "conv3d_cpu: unaryOp got an unsupported operation or size");
    return nullptr;
  }
  advise_huge_pages(out, outSize * sizeof(float));
  unary_op(static_cast<UnaryOp>(op), x, out, static_cast<long>(n), static_cast<float>(alpha), a.ctx->pool);
  return nullptr;
}

// gather(x, indices, out, outer, inner): x viewed as [outer, n, inner]; out = [outer, m, inner]
// with m = indices.length. Every index is checked to lie in [0, n).
napi_value GatherFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t xs = 0, os = 0, m = 0;
  const float* x = float_array(env, a.v[0], &xs, "x");
  const int32_t* idx = x ? typed_array<int32_t>(env, a.v[1], napi_int32_array, 1, "indices") : nullptr;
  float* out = idx ? float_array(env, a.v[2], &os, "out") : nullptr;
  if (!out) return nullptr;
  napi_get_typedarray_info(env, a.v[1], nullptr, &m, nullptr, nullptr, nullptr);
  int64_t outer = 0, inner = 0;
  napi_get_value_int64(env, a.v[3], &outer);
  napi_get_value_int64(env, a.v[4], &inner);
  const long block = static_cast<long>(outer * inner);
  bool ok = outer > 0 && inner > 0 && static_cast<long>(xs) % block == 0 &&
            static_cast<long>(os) == block * static_cast<long>(m);
  const long n = ok ? static_cast<long>(xs) / block : 0;
  for (size_t j = 0; ok && j < m; ++j) ok = idx[j] >= 0 && idx[j] < n;
  if (!ok) {
    throw_error(env, "conv3d_cpu: gather needs x of whole [outer, n, inner] blocks and indices in [0, n)");
    return nullptr;
  }
  advise_huge_pages(out, os * sizeof(float));
  gather_rows(x, static_cast<long>(outer), n, static_cast<long>(inner), idx, static_cast<long>(m), out, a.ctx->pool);
  return nullptr;
}

// segmentSum(x, ids, out): x is ids.length rows; out is whole rows of the same width.
napi_value SegmentSumFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t xs = 0, os = 0, n = 0;
  const float* x = float_array(env, a.v[0], &xs, "x");
  const int32_t* ids = x ? typed_array<int32_t>(env, a.v[1], napi_int32_array, 1, "segmentIds") : nullptr;
  float* out = ids ? float_array(env, a.v[2], &os, "out") : nullptr;
  if (!out) return nullptr;
  napi_get_typedarray_info(env, a.v[1], nullptr, &n, nullptr, nullptr, nullptr);
  const long inner = static_cast<long>(xs / n);
  if (static_cast<long>(xs) != inner * static_cast<long>(n) || static_cast<long>(os) % inner != 0) {
    throw_error(env, "conv3d_cpu: segmentSum needs one id per row of x and out of whole rows");
    return nullptr;
  }
  segment_sum(x, static_cast<long>(n), inner, ids, static_cast<long>(os) / inner, out, a.ctx->pool);
  return nullptr;
}

// transpose(x, out, geometry): geometry = [rank, x's shape[rank], perm[rank]].
napi_value TransposeFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t xs = 0, os = 0, gl = 0;
  const float* x = float_array(env, a.v[0], &xs, "x");
  float* out = x ? float_array(env, a.v[1], &os, "out") : nullptr;
  const int32_t* g = out ? typed_array<int32_t>(env, a.v[2], napi_int32_array, 1, "geometry") : nullptr;
  if (!g) return nullptr;
  napi_get_typedarray_info(env, a.v[2], nullptr, &gl, nullptr, nullptr, nullptr);
  const int rank = g[0];
  bool ok = rank >= 1 && rank <= 8 && gl == static_cast<size_t>(1 + 2 * rank) && xs == os;
  long shape[8];
  int perm[8];
  long size = 1;
  bool seen[8] = {false};
  for (int d = 0; ok && d < rank; ++d) {
    shape[d] = g[1 + d];
    perm[d] = g[1 + rank + d];
    ok = shape[d] > 0 && perm[d] >= 0 && perm[d] < rank && !seen[perm[d]];
    if (ok) seen[perm[d]] = true;
    size *= shape[d];
  }
  if (!ok || size != static_cast<long>(xs)) {
    throw_error(env, "conv3d_cpu: transpose got an unsupported shape or permutation");
    return nullptr;
  }
  advise_huge_pages(out, os * sizeof(float));
  transpose(x, shape, perm, rank, out, a.ctx->pool);
  return nullptr;
}

// softmax(x, out, cols): over each row of cols values.
napi_value SoftmaxFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0, outSize = 0;
  const float* x = float_array(env, a.v[0], &n, "x");
  float* out = x ? float_array(env, a.v[1], &outSize, "out") : nullptr;
  if (!out) return nullptr;
  int64_t cols = 0;
  napi_get_value_int64(env, a.v[2], &cols);
  if (cols <= 0 || outSize != n || n % cols != 0) {
    throw_error(env, "conv3d_cpu: softmax needs x and out of whole rows of cols values");
    return nullptr;
  }
  softmax_rows(x, out, static_cast<long>(n / cols), static_cast<long>(cols), a.ctx->pool);
  return nullptr;
}

// sumMiddle(x, out, outer): x viewed as [outer, n, out.length / outer], summed over n.
napi_value SumMiddleFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0, outSize = 0;
  const float* x = float_array(env, a.v[0], &n, "x");
  float* out = float_array(env, a.v[1], &outSize, "out");
  if (!x || !out) return nullptr;
  int64_t outer = 0;
  napi_get_value_int64(env, a.v[2], &outer);
  if (outer <= 0 || outSize % outer != 0 || n % outSize != 0) {
    throw_error(env, "conv3d_cpu: sumMiddle needs an input of whole [outer, n, inner] blocks");
    return nullptr;
  }
  sum_middle(x, static_cast<long>(n), static_cast<long>(outer), static_cast<long>(outSize / outer), out,
             a.ctx->pool);
  return nullptr;
}

// binaryStrided(op, a, b, out, geometry): geometry = [rank, shape[rank], aStride[rank],
// bStride[rank]]; out is contiguous over shape. Every read is checked to fall inside a and b.
napi_value BinaryStridedFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int32_t op = 0;
  napi_get_value_int32(env, a.v[0], &op);
  size_t aSize = 0, bSize = 0, outSize = 0, gl = 0;
  const float* x = float_array(env, a.v[1], &aSize, "a");
  const float* y = x ? float_array(env, a.v[2], &bSize, "b") : nullptr;
  float* out = y ? float_array(env, a.v[3], &outSize, "out") : nullptr;
  const int32_t* g = out ? typed_array<int32_t>(env, a.v[4], napi_int32_array, 1, "geometry") : nullptr;
  if (!g) return nullptr;
  napi_get_typedarray_info(env, a.v[4], nullptr, &gl, nullptr, nullptr, nullptr);
  const int rank = g[0];
  bool ok = op >= 0 && op <= 4 && rank >= 1 && rank <= 8 && gl == static_cast<size_t>(1 + 3 * rank);
  std::vector<long> shape(ok ? rank : 0), sa(ok ? rank : 0), sb(ok ? rank : 0);
  long total = 1, lastA = 0, lastB = 0;
  for (int d = 0; ok && d < rank; ++d) {
    shape[d] = g[1 + d];
    sa[d] = g[1 + rank + d];
    sb[d] = g[1 + 2 * rank + d];
    ok = shape[d] > 0 && sa[d] >= 0 && sb[d] >= 0;
    total *= shape[d];
    lastA += (shape[d] - 1) * sa[d];
    lastB += (shape[d] - 1) * sb[d];
  }
  ok = ok && sa[rank - 1] <= 1 && sb[rank - 1] <= 1 && total == static_cast<long>(outSize) &&
       lastA < static_cast<long>(aSize) && lastB < static_cast<long>(bSize);
  if (!ok) {
    throw_error(env, "conv3d_cpu: binaryStrided got an unsupported operation or geometry");
    return nullptr;
  }
  advise_huge_pages(out, outSize * sizeof(float));
  binary_strided(static_cast<BinaryOp>(op), x, sa.data(), y, sb.data(), shape.data(), rank, out, a.ctx->pool);
  return nullptr;
}

// The Float32Arrays of a JS array, with each one's width: its length over `rows` (which must
// divide it). False (an exception pending) otherwise.
bool row_pieces(napi_env env, napi_value list, long rows, std::vector<float*>* data, std::vector<long>* widths) {
  bool isArray = false;
  napi_is_array(env, list, &isArray);
  uint32_t count = 0;
  if (isArray) napi_get_array_length(env, list, &count);
  if (!isArray || count == 0 || rows <= 0) {
    throw_error(env, "conv3d_cpu: concat/split need a non-empty array of Float32Arrays and a positive row count");
    return false;
  }
  for (uint32_t i = 0; i < count; ++i) {
    napi_value item;
    napi_get_element(env, list, i, &item);
    size_t length = 0;
    float* values = float_array(env, item, &length, "concat/split piece");
    if (!values) return false;
    if (static_cast<long>(length) % rows != 0) {
      throw_error(env, "conv3d_cpu: a concat/split piece is not a whole number of rows");
      return false;
    }
    data->push_back(values);
    widths->push_back(static_cast<long>(length) / rows);
  }
  return true;
}

// concat(inputs, out, rows) and split(x, outputs, rows): see concat.h.
napi_value ConcatOrSplit(napi_env env, napi_callback_info info, bool concat) {
  Args a(env, info);
  int64_t rows = 0;
  napi_get_value_int64(env, a.v[2], &rows);
  std::vector<float*> pieces;
  std::vector<long> widths;
  size_t wholeLength = 0;
  float* whole = float_array(env, a.v[concat ? 1 : 0], &wholeLength, concat ? "out" : "x");
  if (!whole || !row_pieces(env, a.v[concat ? 0 : 1], static_cast<long>(rows), &pieces, &widths)) return nullptr;
  long total = 0;
  for (long w : widths) total += w;
  if (total * rows != static_cast<long>(wholeLength)) {
    throw_error(env, "conv3d_cpu: concat/split pieces do not add up to the whole");
    return nullptr;
  }
  const int count = static_cast<int>(pieces.size());
  if (concat) {
    advise_huge_pages(whole, wholeLength * sizeof(float));
    concat_rows(pieces.data(), widths.data(), count, static_cast<long>(rows), whole, a.ctx->pool);
  } else {
    split_rows(whole, pieces.data(), widths.data(), count, static_cast<long>(rows), a.ctx->pool);
  }
  return nullptr;
}

napi_value ConcatFn(napi_env env, napi_callback_info info) { return ConcatOrSplit(env, info, true); }
napi_value SplitFn(napi_env env, napi_callback_info info) { return ConcatOrSplit(env, info, false); }

// batchNorm(x, gamma, beta, y, mean, variance, epsilon, relu): C = gamma.length channels, last
// axis; relu (optional, default false) applies ReLU to y.
napi_value BatchNormFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n = 0, C = 0, cb = 0, ny = 0, cm = 0, cv = 0;
  const float* x = float_array(env, a.v[0], &n, "x");
  const float* gamma = x ? float_array(env, a.v[1], &C, "gamma") : nullptr;
  const float* beta = gamma ? float_array(env, a.v[2], &cb, "beta") : nullptr;
  float* y = beta ? float_array(env, a.v[3], &ny, "y") : nullptr;
  float* mean = y ? float_array(env, a.v[4], &cm, "mean") : nullptr;
  float* variance = mean ? float_array(env, a.v[5], &cv, "variance") : nullptr;
  if (!variance) return nullptr;
  double eps = 0;
  napi_get_value_double(env, a.v[6], &eps);
  bool relu = false;
  if (a.n > 7) napi_get_value_bool(env, a.v[7], &relu);
  if (n % C != 0 || ny != n || cb != C || cm != C || cv != C) {
    throw_error(env, "conv3d_cpu: batchNorm needs x and y of whole rows of gamma.length channels");
    return nullptr;
  }
  advise_huge_pages(y, ny * sizeof(float));
  batch_norm_train(x, static_cast<long>(n / C), static_cast<int>(C), gamma, beta, static_cast<float>(eps), relu, y,
                   mean, variance, a.ctx->pool);
  return nullptr;
}

// batchNormGrad(x, dy, gamma, mean, variance, dx, dgamma, dbeta, epsilon, y): y (optional; an
// empty Float32Array or absent means none) is the fused ReLU's output, whose mask dy gets first.
napi_value BatchNormGradFn(napi_env env, napi_callback_info info) {
  napi_value v[10];
  size_t argc = 10;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  Context& ctx = *static_cast<Context*>(data);
  size_t n[8] = {0};
  float* p[8] = {nullptr};
  const char* names[8] = {"x", "dy", "gamma", "mean", "variance", "dx", "dgamma", "dbeta"};
  for (int i = 0; i < 8; ++i) {
    p[i] = float_array(env, v[i], &n[i], names[i]);
    if (!p[i]) return nullptr;
  }
  double eps = 0;
  napi_get_value_double(env, v[8], &eps);
  const size_t C = n[2];
  if (n[0] % C != 0 || n[1] != n[0] || n[5] != n[0] || n[3] != C || n[4] != C || n[6] != C || n[7] != C) {
    throw_error(env, "conv3d_cpu: batchNormGrad needs x, dy, dx of whole rows of gamma.length channels");
    return nullptr;
  }
  float* y = nullptr;
  if (argc > 9 && !optional_floats(env, v[9], n[0], "y", &y)) return nullptr;
  advise_huge_pages(p[5], n[5] * sizeof(float));
  batch_norm_grad(p[0], p[1], y, static_cast<long>(n[0] / C), static_cast<int>(C), p[2], p[3], p[4],
                  static_cast<float>(eps), p[5], p[6], p[7], ctx.pool);
  return nullptr;
}

// adam(tensors, scalars): tensors holds 7 Float32Arrays per variable (value, m, v, gradient, and
// the new value, m and v to write), scalars the float32 constants of tfjs's Adam step (adam.h).
napi_value AdamFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  bool isArray = false;
  napi_is_array(env, a.v[0], &isArray);
  uint32_t count = 0;
  if (isArray) napi_get_array_length(env, a.v[0], &count);
  if (!isArray || count % 7 != 0) {
    throw_error(env, "conv3d_cpu: adam needs an array of 7 Float32Arrays per variable");
    return nullptr;
  }
  const double* k = typed_array<double>(env, a.v[1], napi_float64_array, 8, "scalars");
  if (!k) return nullptr;
  std::vector<AdamSlice> slices(count / 7);
  for (uint32_t i = 0; i < count; ++i) {
    napi_value item;
    napi_get_element(env, a.v[0], i, &item);
    size_t length = 0;
    float* data = float_array(env, item, &length, "adam tensor");
    if (!data) return nullptr;
    AdamSlice& s = slices[i / 7];
    if (i % 7 == 0) s.size = static_cast<long>(length);
    if (static_cast<long>(length) != s.size) {
      throw_error(env, "conv3d_cpu: adam tensors of one variable must have equal sizes");
      return nullptr;
    }
    switch (i % 7) {
      case 0: s.value = data; break;
      case 1: s.m = data; break;
      case 2: s.v = data; break;
      case 3: s.grad = data; break;
      case 4: s.newValue = data; break;
      case 5: s.newM = data; break;
      default: s.newV = data; break;
    }
  }
  const AdamConstants c = {static_cast<float>(k[0]), static_cast<float>(k[1]), static_cast<float>(k[2]),
                           static_cast<float>(k[3]), static_cast<float>(k[4]), static_cast<float>(k[5]),
                           static_cast<float>(k[6]), static_cast<float>(k[7])};
  adam_update(slices.data(), static_cast<long>(slices.size()), c, a.ctx->pool);
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

// CPUs this process may run on (taskset/cpuset aware): the default pool size.
int available_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
#endif
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

// configure(isa: string, threads: number): isa '' keeps the best the CPU supports; an ISA the
// CPU lacks is refused, so tests can only force builds that are safe to run. threads <= 0 means
// every CPU this process may use. Applies to this environment (main thread or worker) only.
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
  Context& ctx = *a.ctx;
  ctx.ops = chosen;
  ctx.threads = threads > 0 ? threads : available_cpus();
  ctx.pool.resize(ctx.threads);
  napi_value result, name, count;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, ctx.ops->name, NAPI_AUTO_LENGTH, &name);
  napi_create_int32(env, ctx.threads, &count);
  napi_set_named_property(env, result, "isa", name);
  napi_set_named_property(env, result, "threads", count);
  return result;
}

void delete_context(napi_env, void* data, void*) { delete static_cast<Context*>(data); }

napi_value Init(napi_env env, napi_value exports) {
  // One context (instruction set, thread count, pool) per environment; Node deletes it, joining
  // the pool's threads, when that environment (a worker, or the main thread at exit) ends.
  auto* ctx = new Context();
  ctx->ops = best_ops();
  if (napi_set_instance_data(env, ctx, delete_context, nullptr) != napi_ok) {
    delete ctx;
    napi_throw_error(env, nullptr, "conv3d_cpu: could not attach the addon's state to this environment");
    return nullptr;
  }
  const napi_property_descriptor props[] = {
      {"configure", nullptr, Configure, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv3d", nullptr, Conv3DForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv3dBackpropFilter", nullptr, Conv3DBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv3dBackpropInput", nullptr, Conv3DBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool3d", nullptr, MaxPool3D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool3dGrad", nullptr, MaxPool3DGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool3dGradArgmax", nullptr, MaxPool3DGradArgmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, AdamFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, BatchNormFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormGrad", nullptr, BatchNormGradFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, MatMulFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binaryOp", nullptr, BinaryOpFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unaryOp", nullptr, UnaryOpFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gather", nullptr, GatherFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"segmentSum", nullptr, SegmentSumFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, TransposeFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, SoftmaxFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumMiddle", nullptr, SumMiddleFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binaryStrided", nullptr, BinaryStridedFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, ConcatFn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"split", nullptr, SplitFn, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
