#include "concat.h"

#include <algorithm>
#include <cstring>

namespace {

// Rows per part: enough values that a part pays for waking a thread (~64K floats).
int parts_for(long rows, long width, const ThreadPool& pool) {
  return static_cast<int>(std::min<long>(rows, pool.parts(rows * width, 1L << 16)));
}

// For each row of [r0, r1): copies piece i between `whole` (rows of `total` values, piece i at
// offset sum(widths[..i])) and `pieces[i]` (rows of widths[i] values), in the direction `gather`.
template <bool gather, typename Whole, typename Piece>
void copy_rows(Whole whole, Piece pieces, const long* widths, int count, long total, long r0, long r1) {
  for (long r = r0; r < r1; ++r) {
    long at = r * total;
    for (int i = 0; i < count; ++i) {
      const long w = widths[i];
      if constexpr (gather)
        std::memcpy(whole + at, pieces[i] + r * w, w * sizeof(float));
      else
        std::memcpy(pieces[i] + r * w, whole + at, w * sizeof(float));
      at += w;
    }
  }
}

long total_width(const long* widths, int count) {
  long total = 0;
  for (int i = 0; i < count; ++i) total += widths[i];
  return total;
}

}  // namespace

void concat_rows(const float* const* inputs, const long* widths, int count, long rows, float* out, ThreadPool& pool) {
  const long total = total_width(widths, count);
  const int parts = parts_for(rows, total, pool);
  pool.run(parts, [&](int p) {
    copy_rows<true>(out, inputs, widths, count, total, rows * p / parts, rows * (p + 1) / parts);
  });
}

void split_rows(const float* x, float* const* outputs, const long* widths, int count, long rows, ThreadPool& pool) {
  const long total = total_width(widths, count);
  const int parts = parts_for(rows, total, pool);
  pool.run(parts, [&](int p) {
    copy_rows<false>(x, outputs, widths, count, total, rows * p / parts, rows * (p + 1) / parts);
  });
}
