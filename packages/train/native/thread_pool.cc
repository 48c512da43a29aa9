#include "thread_pool.h"

void ThreadPool::resize(int threads) {
  const size_t want = threads > 1 ? static_cast<size_t>(threads - 1) : 0;
  if (want == workers_.size()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
  stopping_ = false;
  workers_.reserve(want);
  for (size_t i = 0; i < want; ++i) workers_.emplace_back([this] { work_loop(); });
}

int ThreadPool::drain() {
  int ran = 0;
  for (int p = next_.fetch_add(1); p < parts_; p = next_.fetch_add(1)) {
    task_(fn_, p);
    ++ran;
  }
  return ran;
}

void ThreadPool::dispatch(int parts, Task task, const void* fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = task;
    fn_ = fn;
    parts_ = parts;
    next_.store(0);
    done_ = 0;
    ++generation_;
  }
  wake_.notify_all();
  const int ran = drain();
  std::unique_lock<std::mutex> lock(mutex_);
  done_ += ran;
  finished_.wait(lock, [&] { return done_ == parts_ && active_ == 0; });
}

void ThreadPool::work_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  unsigned long seen = generation_;
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    ++active_;
    lock.unlock();
    const int ran = drain();
    lock.lock();
    done_ += ran;
    --active_;
    if (done_ == parts_ && active_ == 0) finished_.notify_one();
  }
}
