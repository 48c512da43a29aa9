#include "batch_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

// Row ranges per part: enough rows that each part's per-channel partial sums pay for themselves.
int parts_for(long M, int C, const ThreadPool& pool) {
  return static_cast<int>(std::max(1L, std::min<long>(pool.size(), M * C / (1L << 16))));
}

// Per-channel sums of f(row, c) over all rows, in double, split by rows across the pool.
template <typename F>
void channel_sums(long M, int C, int parts, ThreadPool& pool, std::vector<double>& out, const F& f) {
  std::vector<double> partial(static_cast<size_t>(parts) * C, 0.0);
  pool.run(parts, [&](int p) {
    double* acc = partial.data() + static_cast<size_t>(p) * C;
    for (long r = M * p / parts; r < M * (p + 1) / parts; ++r) f(r, acc);
  });
  out.assign(C, 0.0);
  for (int p = 0; p < parts; ++p)
    for (int c = 0; c < C; ++c) out[c] += partial[static_cast<size_t>(p) * C + c];
}

}  // namespace

void batch_norm_train(const float* x, long M, int C, const float* gamma, const float* beta, float eps, float* y,
                      float* mean, float* variance, ThreadPool& pool) {
  const int parts = parts_for(M, C, pool);
  std::vector<double> sum, sumSq;
  channel_sums(M, C, parts, pool, sum, [&](long r, double* acc) {
    const float* row = x + r * C;
    for (int c = 0; c < C; ++c) acc[c] += row[c];
  });
  std::vector<float> shift(C);
  for (int c = 0; c < C; ++c) {
    mean[c] = static_cast<float>(sum[c] / static_cast<double>(M));
    shift[c] = mean[c];
  }
  // The variance about the float32 mean, as tfjs's moments computes it (mean of (x - mean)^2).
  channel_sums(M, C, parts, pool, sumSq, [&](long r, double* acc) {
    const float* row = x + r * C;
    for (int c = 0; c < C; ++c) {
      const double d = static_cast<double>(row[c]) - shift[c];
      acc[c] += d * d;
    }
  });
  std::vector<float> scale(C), offset(C);
  for (int c = 0; c < C; ++c) {
    variance[c] = static_cast<float>(sumSq[c] / static_cast<double>(M));
    scale[c] = static_cast<float>(gamma[c] / std::sqrt(static_cast<double>(variance[c]) + eps));
    offset[c] = beta[c];
  }
  pool.run(parts, [&](int p) {
    for (long r = M * p / parts; r < M * (p + 1) / parts; ++r) {
      const float* row = x + r * C;
      float* out = y + r * C;
      for (int c = 0; c < C; ++c) out[c] = (row[c] - mean[c]) * scale[c] + offset[c];
    }
  });
}

void batch_norm_grad(const float* x, const float* dy, long M, int C, const float* gamma, const float* mean,
                     const float* variance, float eps, float* dx, float* dgamma, float* dbeta, ThreadPool& pool) {
  const int parts = parts_for(M, C, pool);
  std::vector<double> inv(C);
  for (int c = 0; c < C; ++c) inv[c] = 1.0 / std::sqrt(static_cast<double>(variance[c]) + eps);
  // Both sums in one pass: sum dy, and sum dy * (x - mean) (times inv afterwards).
  std::vector<double> both;
  std::vector<double> partial(static_cast<size_t>(parts) * 2 * C, 0.0);
  pool.run(parts, [&](int p) {
    double* sDy = partial.data() + static_cast<size_t>(p) * 2 * C;
    double* sDyX = sDy + C;
    for (long r = M * p / parts; r < M * (p + 1) / parts; ++r) {
      const float* xr = x + r * C;
      const float* dr = dy + r * C;
      for (int c = 0; c < C; ++c) {
        sDy[c] += dr[c];
        sDyX[c] += static_cast<double>(dr[c]) * (static_cast<double>(xr[c]) - mean[c]);
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
      float* out = dx + r * C;
      for (int c = 0; c < C; ++c) out[c] = k1[c] * dr[c] - k2[c] - k3[c] * (xr[c] - mean[c]);
    }
  });
}
