// Element-wise kernels and the leading-axes sum, with tfjs cpu's exact semantics (float32
// results of +, -, *, / are correctly rounded either way; sums accumulate in double, in order).
#pragma once

#include <cstddef>

#include "thread_pool.h"

// ReluMask: a where b > 0 (b = relu's output), NaN where b is NaN, else a * 0: tfjs's dy * step(x).
enum class BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3, ReluMask = 4 };
enum class UnaryOp { Relu = 0, Step = 1, Exp = 2, Log = 3, Neg = 4 };

// out[i] = a[i % aSize] op b[i % bSize] for i < outSize; aSize and bSize divide outSize.
void binary_op(BinaryOp op, const float* a, long aSize, const float* b, long bSize, float* out, long outSize,
               ThreadPool& pool);

// out = a op b over `rank` (collapsed) axes of extents shape[]: a and b are read at strides aStride[]
// and bStride[] (0 along an axis they are broadcast over); out is contiguous. The last axis's
// strides must be 0 or 1.
void binary_strided(BinaryOp op, const float* a, const long* aStride, const float* b, const long* bStride,
                    const long* shape, int rank, float* out, ThreadPool& pool);

// Relu: max(0, x) with NaN kept. Step: NaN kept, 1 where x > 0, else alpha. Exp, Log: e^x and
// ln x in double rounded to float32, as tfjs's Math.exp and Math.log. Neg: -x.
void unary_op(UnaryOp op, const float* x, float* out, long n, float alpha, ThreadPool& pool);

// Softmax over each row of `cols` values, as tfjs's cpu kernel: exp(x - row max) / the row's sum
// of those (a NaN anywhere in a row makes the row NaN).
void softmax_rows(const float* x, float* out, long rows, long cols, ThreadPool& pool);

// x viewed as [outer, n, inner] (n = its size / (outer * inner)): out[o * inner + i] = the sum over
// the middle axis, accumulated in double in index order.
void sum_middle(const float* x, long size, long outer, long inner, float* out, ThreadPool& pool);
