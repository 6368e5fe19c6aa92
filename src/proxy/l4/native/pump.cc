// kubelite proxy native pump: worker threads (one epoll loop each) and the tcp pair pump.
//
// JavaScript accepts a client, balances, connects the endpoint (with retries), then hands both file
// descriptors to add(): they are dup()ed here and JS closes its copies. From then on every byte
// moves kernel to kernel without entering the JS heap: recv/send through one per-thread buffer
// ("copy", the default: fewest syscalls for small messages) or splice(2) through a per-direction
// pipe. Half-close is forwarded (EOF on one side -> shutdown(SHUT_WR) on the other), a reset as a
// reset (SO_LINGER 0), a slow reader stops reads from its peer (at most one pipe or one 64 KiB
// buffer per direction is held), idle and half-open pairs time out. Closed pairs are reported to JS
// in batches through a thread-safe function: [id, bytesIn, bytesOut, reason]*.
//
// Native tcp services go one step further for ports without ClientIP affinity: JS hands over the
// listening socket, and accept, balancing (round-robin or least-connections), non-blocking connect
// with retries on other endpoints, and counters all stay on the pump thread; JS swaps endpoint sets.
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/eventfd.h>

#include <unordered_map>
#include <unordered_set>

#include "pump.h"

namespace kubelite {

namespace {

enum Reason { kDone = 0, kError = 1, kIdle = 2, kShutdown = 3 };

struct Pair;
struct TcpService;
struct TcpBackend;
struct Side : Handle {
  Pair* pair;
  int fd = -1;
  int index = 0;  // 0 = client, 1 = endpoint
  void on_event(Worker& w, uint32_t events) override;
};

struct Direction {  // bytes read from side[i] and written to side[1 - i]
  int pipe_r = -1, pipe_w = -1;
  char* buf = nullptr;
  size_t off = 0, pending = 0;
  bool readable = false, hup = false, eof = false, done = false;
  double bytes = 0;
};

struct Pair : Buried {
  double id = 0;
  Side side[2];
  Direction dir[2];
  bool splice = false, closed = false;
  int64_t last_ms = 0;
  Pair *prev = nullptr, *next = nullptr;
  // Set for pairs of native tcp services (their counters stay native; JS hears nothing per pair).
  TcpService* service = nullptr;
  TcpBackend* backend = nullptr;
  ~Pair() override {
    for (auto& d : dir) delete[] d.buf;
  }
};

/** Numbers posted by worker threads, delivered to a JS callback in batches by a thread-safe function. */
struct Mailbox {
  napi_threadsafe_function tsfn = nullptr;
  std::mutex mu;
  std::vector<double> items;
  /** JS thread only: items JS waits for and has not received yet; the loop is kept alive meanwhile. */
  size_t awaited = 0;

  void post(std::initializer_list<double> values) {
    bool first;
    {
      std::lock_guard<std::mutex> lock(mu);
      first = items.empty();
      items.insert(items.end(), values);
    }
    if (first) napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
  }
};

struct TcpState {
  Mailbox closed;  // closed pairs: [id, bytesIn, bytesOut, reason]*
  Mailbox acks;    // tickets of completed requests (listeners closed)
  int64_t idle_ms = 3600000, half_open_ms = 60000;
  size_t next_worker = 0;
};
TcpState g;

// Live pairs per worker (for timeouts and closeAll); only touched on that worker's thread.
struct PairList {
  Pair head;
  PairList() { head.prev = head.next = &head; }
};
thread_local PairList* pairs = nullptr;

void report(Pair* p, int reason) { g.closed.post({p->id, p->dir[0].bytes, p->dir[1].bytes, double(reason)}); }

void pair_closed(Pair* p);

void close_pair(Worker& w, Pair* p, int reason) {
  if (p->closed) return;
  p->closed = true;
  for (int i = 0; i < 2; i++) {
    // Deregister explicitly: close() alone keeps the registration while another descriptor of the
    // socket (JS's original, maybe not closed yet) exists, and its events would outlive p.
    w.unwatch(p->side[i].fd);
    if (reason == kError || reason == kIdle) {
      linger lg{1, 0};  // forward a reset as a reset; timed-out peers get one too
      setsockopt(p->side[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(p->side[i].fd);
    Direction& d = p->dir[i];
    if (d.pipe_r >= 0) close(d.pipe_r), close(d.pipe_w);
  }
  p->prev->next = p->next;
  p->next->prev = p->prev;
  if (p->service) pair_closed(p);
  else report(p, reason);
  w.bury(p);
}

// Moves what it can from side[i] to side[1 - i]; false on a socket error.
bool pump(Worker& w, Pair* p, int i) {
  Direction& d = p->dir[i];
  int src = p->side[i].fd, dst = p->side[1 - i].fd;
  for (;;) {
    while (d.pending > 0) {
      ssize_t n = p->splice ? splice(d.pipe_r, nullptr, dst, nullptr, d.pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK)
                            : send(dst, d.buf + d.off, d.pending, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) return errno == EAGAIN || errno == EINTR;  // wait for EPOLLOUT on dst
      d.pending -= n, d.off += n, d.bytes += n;
    }
    if (d.eof) {
      if (!d.done) {
        shutdown(dst, SHUT_WR);
        d.done = true;
      }
      return true;
    }
    if (!d.readable) return true;
    ssize_t r = p->splice ? splice(src, nullptr, d.pipe_w, nullptr, kChunk, SPLICE_F_MOVE | SPLICE_F_NONBLOCK)
                          : recv(src, w.buf, kChunk, MSG_DONTWAIT);
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
      d.off = 0, d.pending = r;
      continue;
    }
    ssize_t n = send(dst, w.buf, r, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno != EAGAIN && errno != EINTR) return false;
      n = 0;
    }
    d.bytes += n;
    if (n < r) {  // the reader is slow: keep the rest, read no more until it drains
      if (!d.buf) d.buf = new char[kChunk];
      memcpy(d.buf, w.buf + n, r - n);
      d.off = 0, d.pending = r - n;
      return true;
    }
  }
}

void Side::on_event(Worker& w, uint32_t e) {
  Pair* p = pair;
  if (p->closed) return;
  int i = index;
  p->last_ms = now_ms();
  bool ok = true;
  if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    p->dir[i].readable = true;
    if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) p->dir[i].hup = true;
    ok = pump(w, p, i);
  }
  if (ok && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))) ok = pump(w, p, 1 - i);
  if (!ok) close_pair(w, p, kError);
  else if (p->dir[0].done && p->dir[1].done) close_pair(w, p, kDone);
}

void sweep_pairs(Worker& w, int64_t now) {
  if (!pairs) return;
  for (Pair* p = pairs->head.next; p != &pairs->head;) {
    Pair* next = p->next;
    bool half = p->dir[0].done || p->dir[1].done;
    if (now - p->last_ms > (half ? g.half_open_ms : g.idle_ms)) close_pair(w, p, kIdle);
    p = next;
  }
}

/**
 * Starts pumping a pair. `endpoint_watched`: the endpoint socket is already in the epoll set (it was
 * connected here) and only changes owner. A pair connected here also reads the client at once: its
 * first bytes are usually waiting, and reading them before the client socket joins the epoll set
 * saves a loop turn (and the event that joining would report).
 */
void start_pair(Worker& w, Pair* p, bool endpoint_watched = false) {
  if (!pairs) pairs = new PairList();
  p->last_ms = now_ms();
  p->next = pairs->head.next, p->prev = &pairs->head;
  pairs->head.next->prev = p, pairs->head.next = p;
  bool ok = endpoint_watched ? w.rewatch(p->side[1].fd, &p->side[1]) : w.watch(p->side[1].fd, &p->side[1]);
  if (ok && endpoint_watched) {
    p->dir[0].readable = true;
    ok = pump(w, p, 0);
  }
  if (!ok || !w.watch(p->side[0].fd, &p->side[0])) return close_pair(w, p, kError);
  if (p->dir[0].done && p->dir[1].done) close_pair(w, p, kDone);
}

// ------------------------------------------------------------------ native tcp services


struct TcpBackend {
  sockaddr_in addr{};
  int active = 0;
  bool removed = false;
  int refs = 1;  // the service's set, plus each connect and pair
};

void unref(TcpBackend* b) {
  if (--b->refs == 0) delete b;
}

struct TcpListener;

struct TcpService {
  double id = 0;
  bool least_connections = false, splice = false, closed = false;
  int max_attempts = 3;
  int64_t connect_timeout_ms = 1000;
  std::vector<TcpBackend*> backends;
  size_t rr = 0;
  std::vector<TcpListener*> listeners;
  int refs = 1;  // the worker's registry, the JS thread's hold, plus each connect and pair
  Stat<double> connections, active, bytes_in, bytes_out, connect_errors, retries;
};

void unref(TcpService* s) {
  if (--s->refs == 0) delete s;
}

struct TcpListener : Handle, Buried {
  int fd = -1;
  TcpService* service = nullptr;
  void on_event(Worker& w, uint32_t events) override;
};

/** A client waiting for its endpoint connection (tried endpoints are excluded on retry). */
struct Connecting : Handle, Buried {
  int client = -1, fd = -1;
  TcpService* service = nullptr;
  TcpBackend* backend = nullptr;
  std::vector<TcpBackend*> tried;
  int attempts = 0;
  int64_t since_ms = 0;
  bool done = false;
  void on_event(Worker& w, uint32_t events) override;
};

struct TcpRegistry {
  std::unordered_map<double, TcpService*> services;
  std::unordered_set<Connecting*> connecting;
};
TcpRegistry* tcp = nullptr;  // worker 0's
std::unordered_map<double, TcpService*> js_tcp_services;  // the JS thread's view

void pair_closed(Pair* p) {
  TcpService* s = p->service;
  s->bytes_in.add(p->dir[0].bytes);
  s->bytes_out.add(p->dir[1].bytes);
  s->active.add(-1);
  p->backend->active--;
  unref(p->backend);
  unref(s);
}

TcpBackend* pick(TcpService* s, const std::vector<TcpBackend*>& tried) {
  size_t n = s->backends.size();
  TcpBackend* best = nullptr;
  size_t best_i = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = (s->rr + k) % n;
    TcpBackend* b = s->backends[i];
    bool skip = false;
    for (TcpBackend* t : tried) skip = skip || t == b;
    if (skip) continue;
    if (!best || (s->least_connections && b->active < best->active)) best = b, best_i = i;
    if (!s->least_connections) break;
  }
  if (best) s->rr = (best_i + 1) % n;
  return best;
}

void reset_and_close(int fd) {
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

void finish_connecting(Worker& w, Connecting* c) {
  c->done = true;
  tcp->connecting.erase(c);
  unref(c->service);
  w.bury(c);
}

/** Connects the client to the next endpoint to try; resets it when none is left. */
void try_connect(Worker& w, Connecting* c) {
  TcpService* s = c->service;
  for (;;) {
    TcpBackend* b = c->attempts < s->max_attempts && !s->closed ? pick(s, c->tried) : nullptr;
    if (!b) {
      reset_and_close(c->client);
      s->active.add(-1);
      return finish_connecting(w, c);
    }
    if (c->attempts > 0) s->retries.add(1);
    c->attempts++;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      int r = connect(fd, reinterpret_cast<sockaddr*>(&b->addr), sizeof b->addr);
      if ((r == 0 || errno == EINPROGRESS) && w.watch(fd, c)) {
        c->fd = fd;
        c->backend = b;
        b->refs++;
        b->active++;
        c->since_ms = now_ms();
        return;
      }
      close(fd);
    }
    s->connect_errors.add(1);
    c->tried.push_back(b);
  }
}

void connect_failed(Worker& w, Connecting* c) {
  w.unwatch(c->fd);
  close(c->fd);
  c->fd = -1;
  c->backend->active--;
  c->service->connect_errors.add(1);
  c->tried.push_back(c->backend);
  unref(c->backend);
  c->backend = nullptr;
  try_connect(w, c);
}

void Connecting::on_event(Worker& w, uint32_t e) {
  if (done || fd < 0) return;
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0 || (e & (EPOLLERR | EPOLLHUP))) return connect_failed(w, this);
  if (!(e & EPOLLOUT)) return;
  // Connected: the two sockets become a pair (the backend's active count and refs pass to it).
  Pair* p = new Pair();
  p->service = service;
  service->refs++;
  p->backend = backend;
  backend = nullptr;
  p->splice = service->splice;
  int fds[2] = {client, fd};
  for (int i = 0; i < 2; i++) {
    p->side[i].pair = p;
    p->side[i].index = i;
    p->side[i].fd = fds[i];
    int pp[2];
    if (p->splice && pipe2(pp, O_NONBLOCK | O_CLOEXEC) == 0) p->dir[i].pipe_r = pp[0], p->dir[i].pipe_w = pp[1];
    else p->splice = false;
  }
  fd = -1;
  finish_connecting(w, this);
  start_pair(w, p, true);
}

void TcpListener::on_event(Worker& w, uint32_t) {
  for (;;) {
    if (service == nullptr) return;  // closed
    int fd = accept4(this->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a transient error: the next edge retries
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    service->connections.add(1);
    service->active.add(1);
    Connecting* c = new Connecting();
    c->client = fd;
    c->service = service;
    service->refs++;
    tcp->connecting.insert(c);
    try_connect(w, c);
  }
}

void sweep_connecting(Worker& w, int64_t now) {
  if (!tcp) return;
  std::vector<Connecting*> late;
  for (Connecting* c : tcp->connecting)
    if (c->fd >= 0 && now - c->since_ms > c->service->connect_timeout_ms) late.push_back(c);
  for (Connecting* c : late) connect_failed(w, c);  // timed out: retried on another endpoint
}

// tcpCreate(id, [leastConnections, maxAttempts, connectTimeoutMs, splice])
napi_value TcpCreate(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 2);
  Worker* w = service_worker();
  if (!w) return nullptr;
  TcpService* s = new TcpService();
  s->id = number(env, argv[0]);
  std::vector<double> o = numbers(env, argv[1]);
  o.resize(4);
  s->least_connections = o[0] != 0;
  s->max_attempts = int(o[1]);
  s->connect_timeout_ms = int64_t(o[2]);
  s->splice = o[3] != 0;
  s->refs++;  // the JS thread's hold, until tcpClose
  js_tcp_services[s->id] = s;
  w->post([s](Worker& self) {
    if (!tcp) {
      tcp = new TcpRegistry();
      self.sweepers.push_back(sweep_connecting);
    }
    tcp->services[s->id] = s;
  });
  return nullptr;
}

// tcpEndpoints(id, [ip, port, ...]): swaps the endpoint set at once; removed endpoints drain.
napi_value TcpEndpoints(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 2);
  Worker* w = service_worker();
  if (!w) return nullptr;
  double id = number(env, argv[0]);
  std::vector<sockaddr_in> addrs = ipv4_endpoints(env, argv[1]);
  w->post([id, addrs](Worker&) {
    auto it = tcp->services.find(id);
    if (it != tcp->services.end()) swap_endpoints(it->second->backends, addrs, [](TcpBackend*) {});
  });
  return nullptr;
}

// tcpListen(id, fd): serves the listening socket (a duplicate of `fd`; JS closes its own).
napi_value TcpListen(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 2);
  int fd = dup_listener(env, argv[1]);
  if (fd < 0) return boolean(env, false);
  double id = number(env, argv[0]);
  service_worker()->post([id, fd](Worker& self) {
    auto it = tcp->services.find(id);
    if (it == tcp->services.end()) return void(close(fd));
    TcpListener* l = new TcpListener();
    l->fd = fd;
    l->service = it->second;
    it->second->listeners.push_back(l);
    start_listener(self, fd, l);
  });
  return boolean(env, true);
}

/** On the service worker: closes the listeners of a tcp service and drops it (open pairs drain). */
void close_tcp_service(Worker& self, double id) {
  auto it = tcp->services.find(id);
  if (it == tcp->services.end()) return;
  TcpService* s = it->second;
  tcp->services.erase(it);
  s->closed = true;
  for (TcpListener* l : s->listeners) {
    self.unwatch(l->fd);
    close(l->fd);
    l->service = nullptr;
    self.bury(l);
  }
  s->listeners.clear();
  swap_endpoints(s->backends, {}, [](TcpBackend*) {});
  unref(s);
}

// tcpClose(id, ticket): stops accepting; open pairs drain. True when `ticket` is acknowledged once
// the listening descriptors are closed; false for an unknown id (nothing to wait for).
napi_value TcpClose(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 2);
  double id = number(env, argv[0]), ticket = number(env, argv[1]);
  auto known = js_tcp_services.find(id);
  if (!service_worker() || known == js_tcp_services.end()) return boolean(env, false);
  TcpService* held = known->second;
  js_tcp_services.erase(known);
  expect_acknowledgement(env);
  service_worker()->post([id, held, ticket](Worker& self) {
    unref(held);
    close_tcp_service(self, id);
    acknowledge(ticket);
  });
  return boolean(env, true);
}

// tcpStats(id) -> [connections, active, bytesIn, bytesOut, connectErrors, retries]
napi_value TcpStats(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 1);
  auto it = js_tcp_services.find(number(env, argv[0]));
  if (it == js_tcp_services.end()) return float64_array(env, {});
  TcpService* s = it->second;
  return float64_array(env, {s->connections.get(), s->active.get(), s->bytes_in.get(), s->bytes_out.get(),
                             s->connect_errors.get(), s->retries.get()});
}

/** Delivers what a mailbox holds to its JS callback as one Float64Array (on the JS thread). */
void deliver(napi_env env, napi_value callback, void* context, void*) {
  if (env == nullptr) return;
  Mailbox* box = static_cast<Mailbox*>(context);
  std::vector<double> batch;
  {
    std::lock_guard<std::mutex> lock(box->mu);
    batch.swap(box->items);
  }
  if (batch.empty()) return;
  if (box->awaited > 0) {
    box->awaited -= batch.size() < box->awaited ? batch.size() : box->awaited;
    if (box->awaited == 0) napi_unref_threadsafe_function(env, box->tsfn);
  }
  napi_value array = float64_array(env, batch), undefined;
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, callback, 1, &array, nullptr);
}

/** A mailbox's thread-safe function; it does not keep the process alive unless JS awaits an item. */
void open_mailbox(napi_env env, Mailbox& box, napi_value callback, const char* label) {
  napi_value name;
  napi_create_string_utf8(env, label, NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, callback, nullptr, name, 0, 1, nullptr, nullptr, &box, deliver, &box.tsfn);
  napi_unref_threadsafe_function(env, box.tsfn);
}

// init(onClosed, onAcknowledged, threads, idleTimeoutMs, halfOpenTimeoutMs)
napi_value Init(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 5);
  if (g.closed.tsfn != nullptr) {
    napi_throw_error(env, nullptr, "pump already initialised");
    return nullptr;
  }
  open_mailbox(env, g.closed, argv[0], "kubelite-pump-closed");
  open_mailbox(env, g.acks, argv[1], "kubelite-pump-acks");
  int threads = int(number(env, argv[2]));
  g.idle_ms = int64_t(number(env, argv[3]));
  g.half_open_ms = int64_t(number(env, argv[4]));
  for (int t = 0; t < (threads < 1 ? 1 : threads); t++) {
    Worker* w = new Worker();
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->efd, &ev);
    w->sweepers.push_back(sweep_pairs);
    w->thread = std::thread([w] { w->run(); });
    pthread_setname_np(w->thread.native_handle(), "kubelite-pump");
    w->thread.detach();
    workers().push_back(w);
  }
  return nullptr;
}

// add(id, clientFd, endpointFd, splice): true when the pair was taken over (JS then closes its fds).
napi_value Add(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool use_splice = false;
  napi_get_value_bool(env, argv[3], &use_splice);
  int fds[2] = {int(number(env, argv[1])), int(number(env, argv[2]))};
  if (workers().empty()) return boolean(env, false);
  Pair* p = new Pair();
  p->id = number(env, argv[0]);
  p->splice = use_splice;
  bool ok = true;
  for (int i = 0; i < 2; i++) {
    p->side[i].pair = p;
    p->side[i].index = i;
    p->side[i].fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
    if (p->side[i].fd < 0) ok = false;
    int pp[2];
    if (use_splice && pipe2(pp, O_NONBLOCK | O_CLOEXEC) == 0) {
      p->dir[i].pipe_r = pp[0], p->dir[i].pipe_w = pp[1];
    } else if (use_splice) {
      ok = false;
    }
  }
  if (!ok) {
    for (int i = 0; i < 2; i++) {
      if (p->side[i].fd >= 0) close(p->side[i].fd);
      if (p->dir[i].pipe_r >= 0) close(p->dir[i].pipe_r), close(p->dir[i].pipe_w);
    }
    delete p;
    return boolean(env, false);
  }
  for (int i = 0; i < 2; i++) fcntl(p->side[i].fd, F_SETFL, fcntl(p->side[i].fd, F_GETFL) | O_NONBLOCK);
  Worker* w = workers()[g.next_worker++ % workers().size()];
  w->post([p](Worker& self) { start_pair(self, p); });
  return boolean(env, true);
}

// closeAll(): ends every tcp pair (reported with reason 3).
napi_value CloseAll(napi_env env, napi_callback_info) {
  for (Worker* w : workers()) {
    w->post([](Worker& self) {
      while (pairs && pairs->head.next != &pairs->head) close_pair(self, pairs->head.next, kShutdown);
    });
  }
  return nullptr;
}

}  // namespace

std::vector<Worker*>& workers() {
  static std::vector<Worker*> list;
  return list;
}

void expect_acknowledgement(napi_env env) {
  if (g.acks.awaited++ == 0) napi_ref_threadsafe_function(env, g.acks.tsfn);
}

void acknowledge(double ticket) { g.acks.post({ticket}); }

void Worker::post(std::function<void(Worker&)> command) {
  {
    std::lock_guard<std::mutex> lock(mu);
    queue.push_back(std::move(command));
  }
  uint64_t one = 1;
  ssize_t ignored = write(efd, &one, sizeof one);
  (void)ignored;
}

bool Worker::watch(int fd, Handle* h) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = h;
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void Worker::run() {
  epoll_event events[256];
  int64_t next_sweep = now_ms() + 1000;
  for (;;) {
    int n = epoll_wait(ep, events, 256, 1000);
    for (int k = 0; k < n; k++) {
      if (events[k].data.ptr == nullptr) {
        uint64_t count;
        ssize_t ignored = read(efd, &count, sizeof count);
        (void)ignored;
        std::vector<std::function<void(Worker&)>> batch;
        {
          std::lock_guard<std::mutex> lock(mu);
          batch.swap(queue);
        }
        for (auto& command : batch) command(*this);
        continue;
      }
      static_cast<Handle*>(events[k].data.ptr)->on_event(*this, events[k].events);
    }
    for (Buried* b : graveyard) delete b;
    graveyard.clear();
    int64_t now = now_ms();
    if (now >= next_sweep) {
      for (auto& sweeper : sweepers) sweeper(*this, now);
      for (Buried* b : graveyard) delete b;
      graveyard.clear();
      next_sweep = now + 1000;
    }
  }
}

void register_tcp(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"add", nullptr, Add, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"closeAll", nullptr, CloseAll, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tcpCreate", nullptr, TcpCreate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tcpEndpoints", nullptr, TcpEndpoints, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tcpListen", nullptr, TcpListen, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tcpClose", nullptr, TcpClose, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tcpStats", nullptr, TcpStats, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, 8, props);
}

}  // namespace kubelite

namespace {
napi_value Module(napi_env env, napi_value exports) {
  kubelite::register_tcp(env, exports);
  kubelite::register_http(env, exports);
  return exports;
}
}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Module)
