// The addon's state for one Node environment (the main thread, or one worker_thread): which
// instruction-set build runs, on how many threads, and the persistent pool they run on.
#pragma once

#include <vector>

#include "gemm_ops.h"
#include "thread_pool.h"

struct Context {
  const GemmOps* ops = &gemm_generic;
  int threads = 1;
  ThreadPool pool;
  // The zero-padded copy of a convolution's input (or of its input gradient), kept between calls
  // so that 'same' padding does not map, fault in and zero a fresh activation-sized buffer each time.
  std::vector<float> padded;
};
