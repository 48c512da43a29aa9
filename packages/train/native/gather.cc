#include "gather.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace {

// Values per part: a part below this costs more in waking a thread than it saves.
constexpr long GRAIN = 1 << 16;

}  // namespace

void gather_rows(const float* x, long outer, long n, long inner, const int32_t* idx, long m, float* out,
                 ThreadPool& pool) {
  const long rows = outer * m;
  const int parts = static_cast<int>(std::min<long>(rows, pool.parts(rows * inner, GRAIN)));
  pool.run(parts, [&](int p) {
    for (long r = rows * p / parts; r < rows * (p + 1) / parts; ++r) {
      const long o = r / m, j = r % m;
      std::memcpy(out + r * inner, x + (o * n + idx[j]) * inner, inner * sizeof(float));
    }
  });
}

void segment_sum(const float* x, long n, long inner, const int32_t* ids, long segments, float* out, ThreadPool& pool) {
  // Parts take blocks of whole 64-byte lines of columns; each sums its columns over every row in order.
  const long units = std::max(1L, inner / 16);
  const int parts = static_cast<int>(std::min<long>(units, pool.parts(n * inner, GRAIN)));
  pool.run(parts, [&](int p) {
    const long c0 = inner * (units * p / parts) / units, c1 = inner * (units * (p + 1) / parts) / units;
    const long w = c1 - c0;
    std::vector<double> acc(static_cast<size_t>(segments * w), 0.0);
    for (long r = 0; r < n; ++r) {
      const long s = ids[r];
      if (s < 0 || s >= segments) continue;
      const float* row = x + r * inner + c0;
      double* a = acc.data() + s * w;
      for (long c = 0; c < w; ++c) a[c] += row[c];
    }
    for (long s = 0; s < segments; ++s)
      for (long c = 0; c < w; ++c) out[s * inner + c0 + c] = static_cast<float>(acc[s * w + c]);
  });
}

void transpose(const float* x, const long* shape, const int* perm, int rank, float* out, ThreadPool& pool) {
  long stride[8] = {}, oshape[8] = {}, ostride[8] = {};
  long step = 1;
  for (int d = rank - 1; d >= 0; --d) {
    stride[d] = step;
    step *= shape[d];
  }
  for (int d = 0; d < rank; ++d) {
    oshape[d] = shape[perm[d]];
    ostride[d] = stride[perm[d]];
  }
  const long inner = oshape[rank - 1], along = ostride[rank - 1];
  const long rows = step / inner;
  const int parts = static_cast<int>(std::min<long>(rows, pool.parts(step, GRAIN)));
  pool.run(parts, [&](int p) {
    for (long r = rows * p / parts; r < rows * (p + 1) / parts; ++r) {
      long rest = r, from = 0;
      for (int d = rank - 2; d >= 0; --d) {
        from += rest % oshape[d] * ostride[d];
        rest /= oshape[d];
      }
      float* o = out + r * inner;
      const float* src = x + from;
      for (long i = 0; i < inner; ++i) o[i] = src[i * along];
    }
  });
}
