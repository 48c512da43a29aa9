#include "batch_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

// Row ranges per part: enough rows that each part's per-channel partial sums pay for themselves.
int parts_for(long M, int C, const ThreadPool& pool) {
  return static_cast<int>(std::max(1L, std::min<long>(pool.size(), M * C / (1L << 16))));
}

// ReLU's gradient from its output y, as tfjs's dy * step(x): dy where y > 0, NaN where y is NaN.
inline float relu_mask(float d, float y) { return y > 0.f ? d : (y != y ? y : d * 0.f); }

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
    double* s2 = s1 + C;
    for (long r = M * p / parts; r < M * (p + 1) / parts; ++r) {
      const float* row = x + r * C;
      for (int c = 0; c < C; ++c) {
        const double v = row[c];
        s1[c] += v;
        s2[c] += v * v;
      }
    }
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
  pool.run(parts, [&](int p) {
    for (long r = M * p / parts; r < M * (p + 1) / parts; ++r) {
      const float* row = x + r * C;
      float* out = y + r * C;
      for (int c = 0; c < C; ++c) out[c] = (row[c] - mean[c]) * scale[c] + offset[c];
      if (relu)
        for (int c = 0; c < C; ++c) out[c] = out[c] < 0.f ? 0.f : out[c];
    }
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
    double* sDyX = sDy + C;
    for (long r = M * p / parts; r < M * (p + 1) / parts; ++r) {
      const float* xr = x + r * C;
      const float* dr = dy + r * C;
      const float* yr = y ? y + r * C : nullptr;
      for (int c = 0; c < C; ++c) {
        const float d = yr ? relu_mask(dr[c], yr[c]) : dr[c];
        sDy[c] += d;
        sDyX[c] += static_cast<double>(d) * (static_cast<double>(xr[c]) - mean[c]);
      }
    }
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
  pool.run(parts, [&](int p) {
    for (long r = M * p / parts; r < M * (p + 1) / parts; ++r) {
      const float* xr = x + r * C;
      const float* dr = dy + r * C;
      const float* yr = y ? y + r * C : nullptr;
      float* out = dx + r * C;
      if (yr)
        for (int c = 0; c < C; ++c) out[c] = k1[c] * relu_mask(dr[c], yr[c]) - k2[c] - k3[c] * (xr[c] - mean[c]);
      else
        for (int c = 0; c < C; ++c) out[c] = k1[c] * dr[c] - k2[c] - k3[c] * (xr[c] - mean[c]);
    }
  });
}
