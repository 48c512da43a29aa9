// How the kernels cut their work into parts for the thread pool.
#pragma once

#include <algorithm>
#include <utility>

#include "context.h"

// Splits [0, n) into `parts` ranges whose inner boundaries are multiples of `align`.
inline std::pair<long, long> split(long n, int parts, int part, long align) {
  const long chunks = (n + align - 1) / align;
  const long lo = chunks * part / parts * align;
  const long hi = chunks * (part + 1) / parts * align;
  return {std::min(lo, n), std::min(hi, n)};
}

inline int threads_for(const Context& ctx, double flops) { return flops < 2e6 ? 1 : ctx.threads; }

inline long round_up(long v, long m) { return (v + m - 1) / m * m; }
