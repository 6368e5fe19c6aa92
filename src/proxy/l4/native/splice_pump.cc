// kubelite proxy: a byte pump for connected socket pairs, run on its own epoll thread(s).
//
// JavaScript accepts the client, balances, connects the endpoint (with retries), then hands both
// file descriptors to add(): they are dup()ed here and JS closes its copies. From then on every byte
// moves kernel to kernel without entering the JS heap: splice(2) through a per-direction pipe, or
// recv/send through one per-thread buffer ("copy" mode, cheaper for small messages: no pipes).
// Half-close is forwarded (EOF on one side -> shutdown(SHUT_WR) on the other), a reset is forwarded
// as a reset (SO_LINGER 0), a slow reader stops reads from its peer (at most one pipe or one 64 KiB
// buffer per direction is ever held), idle and half-open connections time out. Closed pairs are
// reported to JS in batches through a thread-safe function: [id, bytesIn, bytesOut, reason]*.
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr size_t kChunk = 64 * 1024;
enum Reason { kDone = 0, kError = 1, kIdle = 2, kShutdown = 3 };

struct Pair;
struct Side {
  Pair* pair;
  int fd;
  int index;  // 0 = client, 1 = endpoint
};
struct Direction {  // bytes read from side[i] and written to side[1 - i]
  int pipe_r = -1, pipe_w = -1;
  char* buf = nullptr;
  size_t off = 0, pending = 0;
  bool readable = false, hup = false, eof = false, done = false;
  double bytes = 0;
};
struct Pair {
  double id;
  Side side[2];
  Direction dir[2];
  bool splice;
  int64_t last_ms;
  Pair *prev = nullptr, *next = nullptr;
};

struct Command {
  int kind;  // 0 = add, 1 = close all
  Pair* pair;
};

struct Worker;
struct Shared {
  napi_threadsafe_function tsfn = nullptr;
  std::mutex mu;
  std::vector<double> closed;  // batches of 4
  std::vector<Worker*> workers;
  size_t next_worker = 0;
  int64_t idle_ms = 3600000, half_open_ms = 60000;
};
Shared g;

int64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

struct Worker {
  int ep = -1, efd = -1;
  std::mutex mu;
  std::vector<Command> queue;
  Pair head;  // sentinel of the list of live pairs (for timeouts and shutdown)
  char buf[kChunk];
  std::thread thread;

  Worker() { head.prev = head.next = &head; }

  void post(Command c) {
    {
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(c);
    }
    uint64_t one = 1;
    ssize_t ignored = write(efd, &one, sizeof one);
    (void)ignored;
  }

  void report(Pair* p, int reason) {
    bool first;
    {
      std::lock_guard<std::mutex> lock(g.mu);
      first = g.closed.empty();
      g.closed.push_back(p->id);
      g.closed.push_back(p->dir[0].bytes);
      g.closed.push_back(p->dir[1].bytes);
      g.closed.push_back(reason);
    }
    if (first) napi_call_threadsafe_function(g.tsfn, nullptr, napi_tsfn_nonblocking);
  }

  void close_pair(Pair* p, int reason) {
    for (int i = 0; i < 2; i++) {
      // Deregister explicitly: close() alone keeps the registration while any other descriptor
      // (JS's original, not yet closed) still refers to the socket, and its events would outlive p.
      epoll_event unused{};
      epoll_ctl(ep, EPOLL_CTL_DEL, p->side[i].fd, &unused);
      if (reason == kError || reason == kIdle) {
        linger lg{1, 0};  // forward a reset as a reset; idle peers get RST like HAProxy's timeouts
        setsockopt(p->side[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      }
      close(p->side[i].fd);
      Direction& d = p->dir[i];
      if (d.pipe_r >= 0) close(d.pipe_r), close(d.pipe_w);
      delete[] d.buf;
    }
    p->prev->next = p->next;
    p->next->prev = p->prev;
    report(p, reason);
    delete p;
  }

  // Moves what it can from side[i] to side[1 - i]; false on a socket error.
  bool pump(Pair* p, int i) {
    Direction& d = p->dir[i];
    int src = p->side[i].fd, dst = p->side[1 - i].fd;
    for (;;) {
      while (d.pending > 0) {
        ssize_t w = p->splice ? splice(d.pipe_r, nullptr, dst, nullptr, d.pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK)
                              : send(dst, d.buf + d.off, d.pending, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) return errno == EAGAIN || errno == EINTR;  // wait for EPOLLOUT on dst
        d.pending -= w, d.off += w, d.bytes += w;
      }
      if (d.eof) {
        if (!d.done) {
          shutdown(dst, SHUT_WR);
          d.done = true;
        }
        return true;
      }
      if (!d.readable) return true;
      ssize_t r;
      if (p->splice) {
        r = splice(src, nullptr, d.pipe_w, nullptr, kChunk, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      } else {
        r = recv(src, buf, kChunk, MSG_DONTWAIT);
      }
      if (r < 0) {
        if (errno == EAGAIN || errno == EINTR) {
          d.readable = false;
          return true;
        }
        return false;
      }
      if (r == 0) {
        d.eof = true;
        continue;
      }
      // A short read of a stream socket drains it (epoll(7)); skip the EAGAIN read unless a FIN is due.
      if (size_t(r) < kChunk && !d.hup) d.readable = false;
      if (p->splice) {
        d.pending = r;
        continue;
      }
      ssize_t w = send(dst, buf, r, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno != EAGAIN && errno != EINTR) return false;
        w = 0;
      }
      d.bytes += w;
      if (w < r) {  // the reader is slow: keep the rest, read no more until it drains
        if (!d.buf) d.buf = new char[kChunk];
        memcpy(d.buf, buf + w, r - w);
        d.off = 0, d.pending = r - w;
        return true;
      }
    }
  }

  void add(Pair* p) {
    p->last_ms = now_ms();
    p->next = head.next, p->prev = &head;
    head.next->prev = p, head.next = p;
    for (int i = 0; i < 2; i++) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = &p->side[i];
      if (epoll_ctl(ep, EPOLL_CTL_ADD, p->side[i].fd, &ev) != 0) {
        close_pair(p, kError);
        return;
      }
    }
  }

  void drain_commands() {
    uint64_t n;
    ssize_t ignored = read(efd, &n, sizeof n);
    (void)ignored;
    std::vector<Command> batch;
    {
      std::lock_guard<std::mutex> lock(mu);
      batch.swap(queue);
    }
    for (Command& c : batch) {
      if (c.kind == 0) {
        add(c.pair);
      } else {
        while (head.next != &head) close_pair(head.next, kShutdown);
      }
    }
  }

  void sweep(int64_t now) {
    for (Pair* p = head.next; p != &head;) {
      Pair* next = p->next;
      bool half = p->dir[0].done || p->dir[1].done;
      if (now - p->last_ms > (half ? g.half_open_ms : g.idle_ms)) close_pair(p, kIdle);
      p = next;
    }
  }

  void run() {
    epoll_event events[256];
    int64_t next_sweep = now_ms() + 1000;
    for (;;) {
      int n = epoll_wait(ep, events, 256, 1000);
      int64_t now = now_ms();
      for (int k = 0; k < n; k++) {
        if (events[k].data.ptr == nullptr) {
          drain_commands();
          continue;
        }
        if (events[k].data.ptr == &dead) continue;
        Side* s = static_cast<Side*>(events[k].data.ptr);
        Pair* p = s->pair;
        uint32_t e = events[k].events;
        int i = s->index;
        p->last_ms = now;
        bool ok = true;
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
          p->dir[i].readable = true;
          if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) p->dir[i].hup = true;
          ok = pump(p, i);
        }
        if (ok && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))) ok = pump(p, 1 - i);
        if (!ok || (p->dir[0].done && p->dir[1].done)) {
          // Later events of this batch may point at the pair about to be freed: drop them (compare
          // addresses only, never read through them).
          for (int j = k + 1; j < n; j++) {
            void* t = events[j].data.ptr;
            if (t == &p->side[0] || t == &p->side[1]) events[j].data.ptr = &dead;
          }
          close_pair(p, ok ? kDone : kError);
        }
      }
      if (now >= next_sweep) {
        sweep(now);
        next_sweep = now + 1000;
      }
    }
  }

  static Side dead;
};
Side Worker::dead{nullptr, -1, 0};

void call_js(napi_env env, napi_value callback, void*, void*) {
  if (env == nullptr) return;
  std::vector<double> batch;
  {
    std::lock_guard<std::mutex> lock(g.mu);
    batch.swap(g.closed);
  }
  if (batch.empty()) return;
  napi_value arraybuffer, array, undefined;
  void* data;
  napi_create_arraybuffer(env, batch.size() * sizeof(double), &data, &arraybuffer);
  memcpy(data, batch.data(), batch.size() * sizeof(double));
  napi_create_typedarray(env, napi_float64_array, batch.size(), arraybuffer, 0, &array);
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, callback, 1, &array, nullptr);
}

double get_number(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

// init(onClosed, threads, idleTimeoutMs, halfOpenTimeoutMs)
napi_value Init(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (g.tsfn != nullptr) {
    napi_throw_error(env, nullptr, "pump already initialised");
    return nullptr;
  }
  napi_value name;
  napi_create_string_utf8(env, "kubelite-pump", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[0], nullptr, name, 0, 1, nullptr, nullptr, nullptr, call_js, &g.tsfn);
  napi_unref_threadsafe_function(env, g.tsfn);
  int threads = int(get_number(env, argv[1]));
  g.idle_ms = int64_t(get_number(env, argv[2]));
  g.half_open_ms = int64_t(get_number(env, argv[3]));
  for (int t = 0; t < (threads < 1 ? 1 : threads); t++) {
    Worker* w = new Worker();
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->efd, &ev);
    w->thread = std::thread([w] { w->run(); });
    pthread_setname_np(w->thread.native_handle(), "kubelite-pump");
    w->thread.detach();
    g.workers.push_back(w);
  }
  return nullptr;
}

// add(id, clientFd, endpointFd, splice): true when the pair was taken over (JS must then close its fds).
napi_value Add(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_value result;
  bool use_splice = false;
  napi_get_value_bool(env, argv[3], &use_splice);
  int fds[2] = {int(get_number(env, argv[1])), int(get_number(env, argv[2]))};
  if (g.workers.empty()) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  Pair* p = new Pair();
  p->id = get_number(env, argv[0]);
  p->splice = use_splice;
  bool ok = true;
  for (int i = 0; i < 2; i++) {
    p->side[i] = Side{p, fcntl(fds[i], F_DUPFD_CLOEXEC, 0), i};
    if (p->side[i].fd < 0) ok = false;
    if (use_splice) {
      int pp[2];
      if (pipe2(pp, O_NONBLOCK | O_CLOEXEC) != 0) {
        ok = false;
      } else {
        p->dir[i].pipe_r = pp[0], p->dir[i].pipe_w = pp[1];
      }
    }
  }
  if (!ok) {
    for (int i = 0; i < 2; i++) {
      if (p->side[i].fd >= 0) close(p->side[i].fd);
      if (p->dir[i].pipe_r >= 0) close(p->dir[i].pipe_r), close(p->dir[i].pipe_w);
    }
    delete p;
    napi_get_boolean(env, false, &result);
    return result;
  }
  for (int i = 0; i < 2; i++) fcntl(p->side[i].fd, F_SETFL, fcntl(p->side[i].fd, F_GETFL) | O_NONBLOCK);
  Worker* w = g.workers[g.next_worker++ % g.workers.size()];
  w->post(Command{0, p});
  napi_get_boolean(env, true, &result);
  return result;
}

// closeAll(): ends every pair (reported with reason 3).
napi_value CloseAll(napi_env env, napi_callback_info) {
  for (Worker* w : g.workers) w->post(Command{1, nullptr});
  return nullptr;
}

napi_value Module(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"add", nullptr, Add, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeAll", nullptr, CloseAll, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 3, props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Module)
