// BatchNormalization in training, channels-last: x is M rows of C channels, normalised per
// channel with the batch's own mean and (biased) variance, as tfjs's moments + batchNorm do, and
// the gradient of that whole function (through the batch statistics) in two passes.
#pragma once

#include "thread_pool.h"

// y = (x - mean) * gamma / sqrt(var + eps) + beta, then max(0, y) (NaN kept) when relu is set;
// writes the float32 mean and variance too.
void batch_norm_train(const float* x, long M, int C, const float* gamma, const float* beta, float eps, bool relu,
                      float* y, float* mean, float* variance, ThreadPool& pool);

// dx, dgamma, dbeta for dy, from the saved x, gamma, mean and variance. With y (the fused ReLU's
// output) given, dy is first masked as ReLU's gradient masks it (y > 0; NaN where y is NaN).
void batch_norm_grad(const float* x, const float* dy, const float* y, long M, int C, const float* gamma,
                     const float* mean, const float* variance, float eps, float* dx, float* dgamma, float* dbeta,
                     ThreadPool& pool);
