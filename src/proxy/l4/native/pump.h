// kubelite proxy native pump: shared pieces of the epoll worker threads that move proxied bytes
// (tcp pairs, http clients and upstreams). Every object registered with a worker's epoll is a
// Handle; objects closed while a batch of events is being handled are buried (freed after the
// batch), so a later event of the same batch never touches freed memory.
#pragma once
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kubelite {

constexpr size_t kChunk = 64 * 1024;

inline int64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

inline int64_t now_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

struct Worker;

/** A counter written by one worker thread and read by the JS thread (relaxed atomics: no locked ops). */
template <typename T>
struct Stat {
  std::atomic<T> v{0};
  void add(T n) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  T get() const { return v.load(std::memory_order_relaxed); }
};

struct Handle {
  virtual ~Handle() {}
  virtual void on_event(Worker& w, uint32_t events) = 0;
};

struct Buried {
  virtual ~Buried() {}
};

/** A growable byte buffer with a read offset (consumed bytes are dropped when it empties). */
struct Buf {
  char* data = nullptr;
  size_t off = 0, len = 0, cap = 0;
  ~Buf() { free(data); }
  size_t size() const { return len - off; }
  const char* begin() const { return data + off; }
  void consume(size_t n) {
    off += n;
    if (off >= len) off = len = 0;
  }
  void append(const char* p, size_t n) {
    if (len + n > cap) {
      if (off > 0) {
        memmove(data, data + off, len - off);
        len -= off, off = 0;
      }
      if (len + n > cap) {
        size_t next = cap ? cap * 2 : 4096;
        while (next < len + n) next *= 2;
        data = static_cast<char*>(realloc(data, next));
        cap = next;
      }
    }
    memcpy(data + len, p, n);
    len += n;
  }
  void clear() { off = len = 0; }
  void release() {
    free(data);
    data = nullptr;
    off = len = cap = 0;
  }
};

/** Sends `n` bytes now, or queues what the socket did not take; false on a socket error. */
inline bool send_or_queue(int fd, Buf& pending, const char* p, size_t n) {
  if (pending.size() == 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno != EAGAIN && errno != EINTR) return false;
      w = 0;
    }
    p += w, n -= w;
  }
  if (n > 0) pending.append(p, n);
  return true;
}

/** Writes queued bytes; false on a socket error. */
inline bool flush(int fd, Buf& pending) {
  while (pending.size() > 0) {
    ssize_t w = send(fd, pending.begin(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) return errno == EAGAIN || errno == EINTR;
    pending.consume(w);
  }
  return true;
}

struct Worker {
  int ep = -1, efd = -1;
  std::mutex mu;
  std::vector<std::function<void(Worker&)>> queue;
  std::vector<Buried*> graveyard;
  std::vector<std::function<void(Worker&, int64_t)>> sweepers;
  char buf[kChunk];
  std::thread thread;

  void post(std::function<void(Worker&)> command);
  bool watch(int fd, Handle* h);
  void unwatch(int fd) {
    epoll_event unused{};
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, &unused);
  }
  void bury(Buried* b) { graveyard.push_back(b); }
  void run();
};

/** The process's workers (started by init); worker 0 also runs every http service. */
std::vector<Worker*>& workers();

// Registration of each part's JS functions on the module's exports.
void register_tcp(napi_env env, napi_value exports);
void register_http(napi_env env, napi_value exports);

}  // namespace kubelite
