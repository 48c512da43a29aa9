#include "adam.h"

#include <algorithm>
#include <cmath>

// A fused multiply-add would round once where tfjs rounds twice.
#pragma GCC optimize("fp-contract=off")

namespace {

void update(const AdamSlice& s, long lo, long hi, const AdamConstants& c) {
  for (long i = lo; i < hi; ++i) {
    const float g = s.grad[i];
    // newM = m * beta1 + g * (1 - beta1); newV = v * beta2 + g² * (1 - beta2)
    const float m = s.m[i] * c.beta1 + g * c.oneMinusBeta1;
    const float v = s.v[i] * c.beta2 + (g * g) * c.oneMinusBeta2;
    const float mHat = m / c.oneMinusAccBeta1;
    const float vHat = v / c.oneMinusAccBeta2;
    s.newM[i] = m;
    s.newV[i] = v;
    s.newValue[i] = (mHat / (std::sqrt(vHat) + c.epsilon)) * c.negLearningRate + s.value[i];
  }
}

}  // namespace

void adam_update(const AdamSlice* slices, long count, const AdamConstants& c, ThreadPool& pool) {
  long total = 0;
  for (long i = 0; i < count; ++i) total += slices[i].size;
  // Below ~64k values a second thread costs more than it saves.
  const int parts = pool.parts(total, 1L << 16);
  pool.run(parts, [&](int p) {
    // Each part takes its share of the concatenated values, crossing variables as needed.
    const long lo = total * p / parts, hi = total * (p + 1) / parts;
    long start = 0;
    for (long i = 0; i < count && start < hi; start += slices[i].size, ++i) {
      const long a = std::max(lo, start), b = std::min(hi, start + slices[i].size);
      if (a < b) update(slices[i], a - start, b - start, c);
    }
  });
}
