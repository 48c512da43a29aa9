#include "batch_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

// The hot loops are built for AVX2 and AVX-512 as well as the baseline, picked at load time by the
// CPU (GCC function multi-versioning): the rest of this file needs no special instruction set.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define BN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define BN_CLONES
#endif

// Row ranges per part of the statistics passes: enough rows that each part's per-channel partial
// sums pay for themselves. One per thread at most: the sums' order (and so their last bits) stays
// what it has been since these kernels were written, which the trained configs' results rest on.
int parts_for(long M, int C, const ThreadPool& pool) {
  return static_cast<int>(std::max(1L, std::min<long>(pool.size(), M * C / (1L << 16))));
}

// ReLU's gradient from its output y, as tfjs's dy * step(y): step is 1 where y > 0, NaN where y
// is NaN, else 0. Written as selects of values (no branch), so the loops below vectorise.
inline float relu_mask(float d, float y) {
  const float step = y > 0.f ? 1.f : 0.f;
  return d * (y != y ? y : step);
}

// The forward's statistics over rows [r0, r1): per-channel sums of x and x^2, in double.
BN_CLONES void stat_sums(const float* __restrict x, long r0, long r1, int C, double* __restrict s1,
                         double* __restrict s2) {
  for (long r = r0; r < r1; ++r) {
    const float* row = x + r * C;
    for (int c = 0; c < C; ++c) {
      const double v = row[c];
      s1[c] += v;
      s2[c] += v * v;
    }
  }
}

// y = (x - mean) * scale + offset over rows [r0, r1), then max(0, y) (NaN kept) when relu is set.
BN_CLONES void normalise(const float* __restrict x, long r0, long r1, int C, const float* __restrict mean,
                         const float* __restrict scale, const float* __restrict offset, bool relu,
                         float* __restrict y) {
  for (long r = r0; r < r1; ++r) {
    const float* row = x + r * C;
    float* out = y + r * C;
    if (relu) {
      for (int c = 0; c < C; ++c) {
        const float v = (row[c] - mean[c]) * scale[c] + offset[c];
        out[c] = v < 0.f ? 0.f : v;
      }
    } else {
      for (int c = 0; c < C; ++c) out[c] = (row[c] - mean[c]) * scale[c] + offset[c];
    }
  }
}

// Pass 1 of the gradient over rows [r0, r1): per-channel sums of dy' and dy' * (x - mean), in double.
BN_CLONES void grad_sums(const float* __restrict x, const float* __restrict dy, const float* __restrict y, long r0, long r1,
               int C, const float* __restrict mean, double* __restrict sDy, double* __restrict sDyX) {
  for (long r = r0; r < r1; ++r) {
    const float* xr = x + r * C;
    const float* dr = dy + r * C;
    if (y) {
      const float* yr = y + r * C;
      for (int c = 0; c < C; ++c) {
        const float d = relu_mask(dr[c], yr[c]);
        sDy[c] += d;
        sDyX[c] += static_cast<double>(d) * (static_cast<double>(xr[c]) - static_cast<double>(mean[c]));
      }
    } else {
      for (int c = 0; c < C; ++c) {
        const float d = dr[c];
        sDy[c] += d;
        sDyX[c] += static_cast<double>(d) * (static_cast<double>(xr[c]) - static_cast<double>(mean[c]));
      }
    }
  }
}

// Pass 2: dx = k1 * dy' - k2 - k3 * (x - mean) over rows [r0, r1).
BN_CLONES void grad_dx(const float* __restrict x, const float* __restrict dy, const float* __restrict y, long r0, long r1,
             int C, const float* __restrict mean, const float* __restrict k1, const float* __restrict k2,
             const float* __restrict k3, float* __restrict dx) {
  for (long r = r0; r < r1; ++r) {
    const float* xr = x + r * C;
    const float* dr = dy + r * C;
    float* out = dx + r * C;
    if (y) {
      const float* yr = y + r * C;
      for (int c = 0; c < C; ++c) out[c] = k1[c] * relu_mask(dr[c], yr[c]) - k2[c] - k3[c] * (xr[c] - mean[c]);
    } else {
      for (int c = 0; c < C; ++c) out[c] = k1[c] * dr[c] - k2[c] - k3[c] * (xr[c] - mean[c]);
    }
  }
}

}  // namespace

void batch_norm_train(const float* x, long M, int C, const float* gamma, const float* beta, float eps, bool relu,
                      float* y, float* mean, float* variance, ThreadPool& pool) {
  const int parts = parts_for(M, C, pool);
  // Sum and sum of squares in one pass, in double: the variance E[x^2] - mean^2 then differs from
  // tfjs's mean of (x - float32 mean)^2 only by rounding far below float32's (|mean| / std would
  // have to exceed ~1e4 to matter at 1e-5), and x is read once instead of twice.
  std::vector<double> partial(static_cast<size_t>(parts) * 2 * C, 0.0);
  pool.run(parts, [&](int p) {
    double* s1 = partial.data() + static_cast<size_t>(p) * 2 * C;
    stat_sums(x, M * p / parts, M * (p + 1) / parts, C, s1, s1 + C);
  });
  std::vector<float> scale(C), offset(C);
  for (int c = 0; c < C; ++c) {
    double sum = 0.0, sumSq = 0.0;
    for (int p = 0; p < parts; ++p) {
      sum += partial[static_cast<size_t>(p) * 2 * C + c];
      sumSq += partial[static_cast<size_t>(p) * 2 * C + C + c];
    }
    const double m = sum / static_cast<double>(M);
    mean[c] = static_cast<float>(m);
    variance[c] = static_cast<float>(std::max(0.0, sumSq / static_cast<double>(M) - m * m));
    scale[c] = static_cast<float>(gamma[c] / std::sqrt(static_cast<double>(variance[c]) + eps));
    offset[c] = beta[c];
  }
  // Element-wise from here: any cut gives the same values, so up to 4 parts per thread.
  const int rowParts = static_cast<int>(std::min<long>(M, pool.parts(M * C, 1L << 16)));
  pool.run(rowParts, [&](int p) {
    normalise(x, M * p / rowParts, M * (p + 1) / rowParts, C, mean, scale.data(), offset.data(), relu, y);
  });
}

void batch_norm_grad(const float* x, const float* dy, const float* y, long M, int C, const float* gamma,
                     const float* mean, const float* variance, float eps, float* dx, float* dgamma, float* dbeta,
                     ThreadPool& pool) {
  const int parts = parts_for(M, C, pool);
  std::vector<double> inv(C);
  for (int c = 0; c < C; ++c) inv[c] = 1.0 / std::sqrt(static_cast<double>(variance[c]) + eps);
  // Both sums in one pass: sum dy, and sum dy * (x - mean) (times inv afterwards).
  std::vector<double> partial(static_cast<size_t>(parts) * 2 * C, 0.0);
  pool.run(parts, [&](int p) {
    double* sDy = partial.data() + static_cast<size_t>(p) * 2 * C;
    grad_sums(x, dy, y, M * p / parts, M * (p + 1) / parts, C, mean, sDy, sDy + C);
  });
  std::vector<double> sumDy(C, 0.0), sumDyXhat(C, 0.0);
  for (int p = 0; p < parts; ++p)
    for (int c = 0; c < C; ++c) {
      sumDy[c] += partial[static_cast<size_t>(p) * 2 * C + c];
      sumDyXhat[c] += partial[static_cast<size_t>(p) * 2 * C + C + c];
    }
  // dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat)), with xhat = (x - mean) * inv.
  std::vector<float> k1(C), k2(C), k3(C);
  for (int c = 0; c < C; ++c) {
    sumDyXhat[c] *= inv[c];
    dbeta[c] = static_cast<float>(sumDy[c]);
    dgamma[c] = static_cast<float>(sumDyXhat[c]);
    const double g = gamma[c] * inv[c];
    k1[c] = static_cast<float>(g);
    k2[c] = static_cast<float>(g * sumDy[c] / static_cast<double>(M));
    k3[c] = static_cast<float>(g * inv[c] * sumDyXhat[c] / static_cast<double>(M));
  }
  const int rowParts = static_cast<int>(std::min<long>(M, pool.parts(M * C, 1L << 16)));
  pool.run(rowParts, [&](int p) {
    grad_dx(x, dy, y, M * p / rowParts, M * (p + 1) / rowParts, C, mean, k1.data(), k2.data(), k3.data(), dx);
  });
}
