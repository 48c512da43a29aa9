// One Adam step over many variables, with tfjs's AdamOptimizer.applyGradients arithmetic: each
// float32 operation rounded as tfjs's cpu kernels round it, in the same order, so the results
// are the same floats.
#pragma once

#include "thread_pool.h"

struct AdamSlice {
  long size = 0;
  const float* value = nullptr;
  const float* m = nullptr;
  const float* v = nullptr;
  const float* grad = nullptr;
  float* newValue = nullptr;
  float* newM = nullptr;
  float* newV = nullptr;
};

// The float32 scalars tfjs builds for one step: beta1, 1 - beta1, beta2, 1 - beta2 (rounded from
// double as tfjs's scalar() does), 1 - beta1^t and 1 - beta2^t (float32 subtractions), -lr, eps.
struct AdamConstants {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, negLearningRate, epsilon;
};

void adam_update(const AdamSlice* slices, long count, const AdamConstants& c, ThreadPool& pool);
