// kubelite proxy native pump: shared pieces of the epoll worker threads that move proxied bytes
// (tcp pairs, http clients and upstreams). Every object registered with a worker's epoll is a
// Handle; objects closed while a batch of events is being handled are buried (freed after the
// batch), so a later event of the same batch never touches freed memory.
#pragma once
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
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
  /** Points an fd already in the epoll set at another handle. */
  bool rewatch(int fd, Handle* h) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = h;
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0;
  }
  void unwatch(int fd) {
    epoll_event unused{};
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, &unused);
  }
  void bury(Buried* b) { graveyard.push_back(b); }
  void run();
};

/** The process's workers (started by init); worker 0 also runs the native tcp and http services. */
std::vector<Worker*>& workers();

/**
 * Acknowledged requests (e.g. "close this service's listeners"): the JS thread announces one with
 * expect_acknowledgement (the event loop then stays alive until it arrives), the worker calls
 * acknowledge(ticket) once done, and JS receives the ticket through init's onAcknowledged callback.
 */
void expect_acknowledgement(napi_env env);
void acknowledge(double ticket);

inline Worker* service_worker() { return workers().empty() ? nullptr : workers()[0]; }

// ------------------------------------------------------------------ JS argument helpers

/** The first `n` arguments of a call (missing ones are undefined). */
inline std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t n) {
  std::vector<napi_value> argv(n);
  napi_get_cb_info(env, info, &n, argv.data(), nullptr, nullptr);
  return argv;
}

inline double number(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

inline std::vector<double> numbers(napi_env env, napi_value array) {
  uint32_t n = 0;
  napi_get_array_length(env, array, &n);
  std::vector<double> out(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_get_element(env, array, i, &v);
    out[i] = number(env, v);
  }
  return out;
}

inline napi_value boolean(napi_env env, bool b) {
  napi_value result;
  napi_get_boolean(env, b, &result);
  return result;
}

inline napi_value float64_array(napi_env env, const std::vector<double>& values) {
  napi_value arraybuffer, array;
  void* data;
  napi_create_arraybuffer(env, values.size() * sizeof(double), &data, &arraybuffer);
  if (!values.empty()) memcpy(data, values.data(), values.size() * sizeof(double));
  napi_create_typedarray(env, napi_float64_array, values.size(), arraybuffer, 0, &array);
  return array;
}

/** [ip, port, ip, port, ...] from JS, IPv4 only. */
inline std::vector<sockaddr_in> ipv4_endpoints(napi_env env, napi_value list) {
  uint32_t n = 0;
  napi_get_array_length(env, list, &n);
  std::vector<sockaddr_in> out;
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    napi_value ip, port;
    napi_get_element(env, list, i, &ip);
    napi_get_element(env, list, i + 1, &port);
    char text[64] = "";
    size_t len = 0;
    napi_get_value_string_utf8(env, ip, text, sizeof text, &len);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(number(env, port)));
    if (inet_pton(AF_INET, text, &a.sin_addr) == 1) out.push_back(a);
  }
  return out;
}

/** A non-blocking duplicate of a listening descriptor handed over by JS, or -1. */
inline int dup_listener(napi_env env, napi_value fd_value) {
  int fd = service_worker() ? fcntl(int(number(env, fd_value)), F_DUPFD_CLOEXEC, 0) : -1;
  if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

/** Registers a listener and accepts what queued before the handover. */
inline void start_listener(Worker& w, int fd, Handle* listener) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.ptr = listener;
  epoll_ctl(w.ep, EPOLL_CTL_ADD, fd, &ev);
  listener->on_event(w, EPOLLIN);
}

/**
 * Swaps a service's endpoint set: endpoints that stay keep their objects (and counts), new ones are
 * created, the others are marked removed (no new connections; theirs drain) and `on_removed` runs.
 * B has `addr`, `refs` and `removed`; `unref(B*)` frees it with its last reference.
 */
template <typename B, typename OnRemoved>
void swap_endpoints(std::vector<B*>& current, const std::vector<sockaddr_in>& addrs, OnRemoved on_removed) {
  std::vector<B*> next;
  for (const sockaddr_in& a : addrs) {
    B* found = nullptr;
    for (B* b : current)
      if (!found && b->addr.sin_addr.s_addr == a.sin_addr.s_addr && b->addr.sin_port == a.sin_port) found = b;
    if (found) {
      found->refs++;
    } else {
      found = new B();
      found->addr = a;
    }
    next.push_back(found);
  }
  for (B* b : current) {
    bool kept = false;
    for (B* k : next) kept = kept || k == b;
    if (!kept) {
      b->removed = true;
      on_removed(b);
    }
    unref(b);
  }
  current.swap(next);
}

// Registration of each part's JS functions on the module's exports.
void register_tcp(napi_env env, napi_value exports);
void register_http(napi_env env, napi_value exports);

}  // namespace kubelite
