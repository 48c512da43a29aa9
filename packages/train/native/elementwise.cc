#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

template <typename Fn>
void parallel_ranges(long n, ThreadPool& pool, long grain, const Fn& fn) {
  const int parts = pool.parts(n, grain);
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

// Values per part: a part below this costs more in waking a thread than it saves.
constexpr long GRAIN = 1 << 16;

template <typename F>
void strided_rows(const float* a, const long* aStride, const float* b, const long* bStride, const long* shape,
                  int rank, float* out, long row0, long row1, F f) {
  const long inner = shape[rank - 1];
  const long sa = aStride[rank - 1], sb = bStride[rank - 1];
  for (long row = row0; row < row1; ++row) {
    // The row's offsets in a and b from its index over the outer axes (last outer axis fastest).
    long rest = row, oa = 0, ob = 0;
    for (int d = rank - 2; d >= 0; --d) {
      const long i = rest % shape[d];
      rest /= shape[d];
      oa += i * aStride[d];
      ob += i * bStride[d];
    }
    const float* ar = a + oa;
    const float* br = b + ob;
    float* o = out + row * inner;
    if (sa == 1 && sb == 1)
      for (long j = 0; j < inner; ++j) o[j] = f(ar[j], br[j]);
    else if (sa == 1)
      for (long j = 0; j < inner; ++j) o[j] = f(ar[j], br[0]);
    else if (sb == 1)
      for (long j = 0; j < inner; ++j) o[j] = f(ar[0], br[j]);
    else
      for (long j = 0; j < inner; ++j) o[j] = f(ar[0], br[0]);
  }
}

template <typename Body>
void with_op(BinaryOp op, const Body& body) {
  switch (op) {
    case BinaryOp::Add: return body([](float x, float y) { return x + y; });
    case BinaryOp::Sub: return body([](float x, float y) { return x - y; });
    case BinaryOp::Mul: return body([](float x, float y) { return x * y; });
    case BinaryOp::Div: return body([](float x, float y) { return x / y; });
    case BinaryOp::ReluMask: return body([](float d, float y) { return y > 0.f ? d : (y != y ? y : d * 0.f); });
  }
}

}  // namespace

void binary_op(BinaryOp op, const float* a, long aSize, const float* b, long bSize, float* out, long outSize,
               ThreadPool& pool) {
  parallel_ranges(outSize, pool, GRAIN, [&](long lo, long hi) {
    with_op(op, [&](auto f) { binary(a, aSize, b, bSize, out, lo, hi, f); });
  });
}

void binary_strided(BinaryOp op, const float* a, const long* aStride, const float* b, const long* bStride,
                    const long* shape, int rank, float* out, ThreadPool& pool) {
  long rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= shape[d];
  const long inner = shape[rank - 1];
  const int parts = static_cast<int>(std::min<long>(rows, pool.parts(rows * inner, GRAIN)));
  pool.run(parts, [&](int p) {
    with_op(op, [&](auto f) {
      strided_rows(a, aStride, b, bStride, shape, rank, out, rows * p / parts, rows * (p + 1) / parts, f);
    });
  });
}

void unary_op(UnaryOp op, const float* x, float* out, long n, float alpha, ThreadPool& pool) {
  parallel_ranges(n, pool, GRAIN, [&](long lo, long hi) {
    switch (op) {
      case UnaryOp::Relu:
        for (long i = lo; i < hi; ++i) out[i] = std::isnan(x[i]) ? x[i] : (x[i] > 0.f ? x[i] : 0.f);
        break;
      case UnaryOp::Step:
        for (long i = lo; i < hi; ++i) {
          const float v = x[i];
          const float stepped = v > 0.f ? 1.f : alpha;
          out[i] = v != v ? v : stepped;  // NaN stays NaN (written so the loop vectorizes)
        }
        break;
      // In double, then rounded, as tfjs's Math.exp and Math.log: the same float32 results.
      case UnaryOp::Exp:
        for (long i = lo; i < hi; ++i) out[i] = static_cast<float>(std::exp(static_cast<double>(x[i])));
        break;
      case UnaryOp::Log:
        for (long i = lo; i < hi; ++i) out[i] = static_cast<float>(std::log(static_cast<double>(x[i])));
        break;
      case UnaryOp::Neg:
        for (long i = lo; i < hi; ++i) out[i] = -x[i];
        break;
    }
  });
}

void softmax_rows(const float* x, float* out, long rows, long cols, ThreadPool& pool) {
  const int parts = static_cast<int>(std::min<long>(rows, pool.parts(rows * cols, GRAIN / 4)));
  pool.run(parts, [&](int p) {
    for (long r = rows * p / parts; r < rows * (p + 1) / parts; ++r) {
      const float* xr = x + r * cols;
      float* o = out + r * cols;
      float m = xr[0];
      for (long c = 1; c < cols; ++c)
        if (xr[c] > m || xr[c] != xr[c]) m = xr[c];
      double s = 0.0;
      for (long c = 0; c < cols; ++c) {
        o[c] = static_cast<float>(std::exp(static_cast<double>(xr[c] - m)));
        s += o[c];
      }
      const float total = static_cast<float>(s);
      for (long c = 0; c < cols; ++c) o[c] /= total;
    }
  });
}

void sum_middle(const float* x, long size, long outer, long inner, float* out, ThreadPool& pool) {
  const long n = size / (outer * inner);
  // Every output is one thread's sum, in index order, so the result does not depend on the
  // thread count. Parts split the outputs: by outer index when there are enough of them, else by
  // blocks of at least 16 columns of the inner axis (a 64-byte line: parts reading narrower
  // blocks would each pull every line of x through the cache for a few of its values).
  const long units = outer > 1 ? outer : std::max(1L, inner / 16);
  const int parts = static_cast<int>(std::min<long>(units, pool.parts(size, GRAIN)));
  pool.run(parts, [&](int p) {
    const long u0 = units * p / parts, u1 = units * (p + 1) / parts;
    const long o0 = outer > 1 ? u0 : 0, o1 = outer > 1 ? u1 : 1;
    const long c0 = outer > 1 ? 0 : inner * u0 / units, c1 = outer > 1 ? inner : inner * u1 / units;
    if (inner == 1) {  // sums of whole rows (a per-voxel sum over the channels)
      for (long o = o0; o < o1; ++o) {
        double acc = 0.0;
        for (long r = 0; r < n; ++r) acc += x[o * n + r];
        out[o] = static_cast<float>(acc);
      }
      return;
    }
    std::vector<double> acc(c1 - c0);
    for (long o = o0; o < o1; ++o) {
      std::fill(acc.begin(), acc.end(), 0.0);
      const float* block = x + o * n * inner;
      for (long r = 0; r < n; ++r) {
        const float* row = block + r * inner + c0;
        for (long c = 0; c < c1 - c0; ++c) acc[c] += row[c];
      }
      for (long c = c0; c < c1; ++c) out[o * inner + c] = static_cast<float>(acc[c - c0]);
    }
  });
}
