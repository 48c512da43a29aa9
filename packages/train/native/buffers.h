// Recycled memory for the largest float32 outputs. Writing a fresh 35 MB Float32Array first costs
// ~9000 page faults (measured here: ~15 ms of wall time per buffer, two per seed training step);
// a block handed back is reused warm instead. A block returns to the pool only from its
// ArrayBuffer's finalizer, i.e. once nothing in JavaScript (no tensor, no view, no array that
// dataSync() returned) can reach it, so the reuse can never be observed.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

class BufferPool {
 public:
  // At most this many bytes wait in the pool; beyond it, blocks go back to the allocator.
  static constexpr size_t kMaxPooledBytes = size_t{256} << 20;

  BufferPool() = default;
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  ~BufferPool();
  // A 64-byte aligned block of `bytes`: a pooled one of that size when there is one.
  void* take(size_t bytes);
  void give(void* block, size_t bytes);

 private:
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t pooled_ = 0;
};
