// Element-wise kernels and the leading-axes sum, with tfjs cpu's exact semantics (float32
// results of +, -, *, / are correctly rounded either way; sums accumulate in double, in order).
#pragma once

#include <cstddef>

#include "thread_pool.h"

// ReluMask: a where b > 0 (b = relu's output), NaN where b is NaN, else a * 0: tfjs's dy * step(x).
enum class BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3, ReluMask = 4 };
enum class UnaryOp { Relu = 0, Step = 1 };

// out[i] = a[i % aSize] op b[i % bSize] for i < outSize; aSize and bSize divide outSize.
void binary_op(BinaryOp op, const float* a, long aSize, const float* b, long bSize, float* out, long outSize,
               ThreadPool& pool);

// Relu: max(0, x) with NaN kept. Step: NaN kept, 1 where x > 0, else alpha.
void unary_op(UnaryOp op, const float* x, float* out, long n, float alpha, ThreadPool& pool);

// out[c] = sum over r < rows of x[r * cols + c], accumulated in double in row order.
void sum_rows(const float* x, float* out, long rows, long cols, ThreadPool& pool);
