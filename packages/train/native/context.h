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
  // The conv passes' padded copies (one sample per part, or the strided input gradient's scatter
  // target), kept between calls so that they are not mapped and faulted in afresh each time.
  std::vector<float> padded;
};
