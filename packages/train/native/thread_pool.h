// A persistent pool of worker threads owned by one addon instance (one per Node environment, so
// each worker_thread that loads the addon gets its own pool and they never share work queues).
// The calling thread always takes part; `run` returns once every part has finished.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

class ThreadPool {
 public:
  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() { resize(1); }

  // Total threads taking part in a run, the caller included; never below 1.
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // How many parts to cut `units` independent units into, at least `grain` units each: up to 4 per
  // thread, so that where the OS deschedules one thread (a loaded machine) the others take over its
  // remaining parts instead of waiting for it to finish a half. 1 on a pool of one.
  int parts(long units, long grain = 1) const {
    if (workers_.empty()) return 1;
    const long most = 4L * size(), wanted = units / (grain > 0 ? grain : 1);
    return static_cast<int>(wanted < 1 ? 1 : (wanted < most ? wanted : most));
  }

  // Starts or stops workers so that size() == threads.
  void resize(int threads);

  // Runs fn(part) for every part in [0, parts), spread over the pool. Not reentrant: fn must not
  // call run on the same pool (no kernel does).
  template <typename Fn>
  void run(int parts, const Fn& fn) {
    if (parts <= 1 || workers_.empty()) {
      for (int p = 0; p < parts; ++p) fn(p);
      return;
    }
    dispatch(parts, &trampoline<Fn>, &fn);
  }

 private:
  using Task = void (*)(const void*, int);
  template <typename Fn>
  static void trampoline(const void* fn, int part) {
    (*static_cast<const Fn*>(fn))(part);
  }

  void dispatch(int parts, Task task, const void* fn);
  void work_loop();
  // Takes parts of the current job until none are left; returns how many it ran.
  int drain();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  // Guarded by mutex_: the job generation workers wait for, and the stop flag.
  unsigned long generation_ = 0;
  bool stopping_ = false;
  // Workers inside the current job's drain; a new job starts only once this is back to 0.
  int active_ = 0;
  // The current job; written under mutex_ before generation_ moves, read by workers after.
  Task task_ = nullptr;
  const void* fn_ = nullptr;
  int parts_ = 0;
  std::atomic<int> next_{0};
  int done_ = 0;  // parts finished, guarded by mutex_
};
