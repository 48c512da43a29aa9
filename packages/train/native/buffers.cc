#include "buffers.h"

#include <cstdlib>

BufferPool::~BufferPool() {
  for (auto& entry : free_)
    for (void* b : entry.second) std::free(b);
}

void* BufferPool::take(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(bytes);
    if (it != free_.end() && !it->second.empty()) {
      void* b = it->second.back();
      it->second.pop_back();
      pooled_ -= bytes;
      return b;
    }
  }
  return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
}

void BufferPool::give(void* block, size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pooled_ + bytes <= kMaxPooledBytes) {
      free_[bytes].push_back(block);
      pooled_ += bytes;
      return;
    }
  }
  std::free(block);
}
