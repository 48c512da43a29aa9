#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

template <typename Fn>
void parallel_ranges(long n, ThreadPool& pool, long grain, const Fn& fn) {
  const int parts = static_cast<int>(std::max(1L, std::min<long>(pool.size(), n / grain)));
  pool.run(parts, [&](int p) { fn(n * p / parts, n * (p + 1) / parts); });
}

template <typename F>
void binary(const float* a, long aSize, const float* b, long bSize, float* out, long lo, long hi, F f) {
  if (aSize == bSize) {
    for (long i = lo; i < hi; ++i) out[i] = f(a[i], b[i]);
  } else if (bSize < aSize) {
    // b repeats along the leading dimensions (a bias, a scalar): walk it in blocks.
    for (long i = lo; i < hi;) {
      const long j0 = i % bSize;
      const long len = std::min(hi - i, bSize - j0);
      const float* bj = b + j0;
      for (long j = 0; j < len; ++j) out[i + j] = f(a[i + j], bj[j]);
      i += len;
    }
  } else {
    for (long i = lo; i < hi;) {
      const long j0 = i % aSize;
      const long len = std::min(hi - i, aSize - j0);
      const float* aj = a + j0;
      for (long j = 0; j < len; ++j) out[i + j] = f(aj[j], b[i + j]);
      i += len;
    }
  }
}

constexpr long GRAIN = 1 << 18;

}  // namespace

void binary_op(BinaryOp op, const float* a, long aSize, const float* b, long bSize, float* out, long outSize,
               ThreadPool& pool) {
  parallel_ranges(outSize, pool, GRAIN, [&](long lo, long hi) {
    switch (op) {
      case BinaryOp::Add:
        binary(a, aSize, b, bSize, out, lo, hi, [](float x, float y) { return x + y; });
        break;
      case BinaryOp::Sub:
        binary(a, aSize, b, bSize, out, lo, hi, [](float x, float y) { return x - y; });
        break;
      case BinaryOp::Mul:
        binary(a, aSize, b, bSize, out, lo, hi, [](float x, float y) { return x * y; });
        break;
      case BinaryOp::Div:
        binary(a, aSize, b, bSize, out, lo, hi, [](float x, float y) { return x / y; });
        break;
      case BinaryOp::ReluMask:
        binary(a, aSize, b, bSize, out, lo, hi, [](float d, float y) { return y > 0.f ? d : (y != y ? y : d * 0.f); });
        break;
    }
  });
}

void unary_op(UnaryOp op, const float* x, float* out, long n, float alpha, ThreadPool& pool) {
  parallel_ranges(n, pool, GRAIN, [&](long lo, long hi) {
    if (op == UnaryOp::Relu) {
      for (long i = lo; i < hi; ++i) out[i] = std::isnan(x[i]) ? x[i] : (x[i] > 0.f ? x[i] : 0.f);
    } else {
      for (long i = lo; i < hi; ++i) {
        const float v = x[i];
        const float stepped = v > 0.f ? 1.f : alpha;
        out[i] = v != v ? v : stepped;  // NaN stays NaN (written so the loop vectorizes)
      }
    }
  });
}

void sum_rows(const float* x, float* out, long rows, long cols, ThreadPool& pool) {
  // Columns are independent, so threads split the columns when there are enough of them, and
  // otherwise each output stays on one thread: every column is summed in the same order as tfjs.
  const int parts = static_cast<int>(std::max(1L, std::min<long>(pool.size(), rows * cols / GRAIN)));
  const long colParts = std::min<long>(parts, cols);
  pool.run(static_cast<int>(colParts), [&](int p) {
    const long c0 = cols * p / colParts, c1 = cols * (p + 1) / colParts;
    std::vector<double> acc(c1 - c0, 0.0);
    for (long r = 0; r < rows; ++r) {
      const float* row = x + r * cols + c0;
      for (long c = 0; c < c1 - c0; ++c) acc[c] += row[c];
    }
    for (long c = c0; c < c1; ++c) out[c] = static_cast<float>(acc[c - c0]);
  });
}
