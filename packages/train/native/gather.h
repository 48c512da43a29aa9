// Gathers along one axis, segment sums and transposes on row-major float32 tensors: a nearest
// up-sampling built from tf.gather (UpSampling3D), its gradient (tfjs's GatherV2 gradient is a
// transpose, UnsortedSegmentSum and the transpose back), and any other permutation of axes.
#pragma once

#include <cstdint>

#include "thread_pool.h"

// out[o, j, i] = x[o, idx[j], i] for x viewed as [outer, n, inner]; every idx[j] is in [0, n).
void gather_rows(const float* x, long outer, long n, long inner, const int32_t* idx, long m, float* out,
                 ThreadPool& pool);

// out[s, i] = the sum over rows r of x (n rows of `inner` values) with ids[r] == s, in double in
// row order, for s < segments (a row whose id is outside [0, segments) is dropped).
void segment_sum(const float* x, long n, long inner, const int32_t* ids, long segments, float* out, ThreadPool& pool);

// out = x with its axes permuted: out's axis d is x's axis perm[d] (shape[] is x's, rank <= 8).
void transpose(const float* x, const long* shape, const int* perm, int rank, float* out, ThreadPool& pool);
