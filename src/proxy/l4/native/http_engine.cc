// kubelite proxy native pump: the http (HTTP/1.1, L7) engine, run on worker 0.
//
// JavaScript binds a service port's listener and hands its descriptor over; from then on accept,
// request framing, balancing, upstream keep-alive pools, retries and responses happen here, and JS
// only swaps endpoint sets and reads counters. Framing only: the request line, the end of the
// head, Content-Length / chunked and the Connection header; bodies are forwarded as read. Each
// request is balanced on its own (least outstanding requests, round-robin among equals) onto an
// idle pooled connection of that endpoint or a new one, so connection-per-request clients still
// reuse backend connections. Requests of one client are answered in order (pipelining-safe).
// X-Forwarded-For is added, hop-by-hop Connection/Keep-Alive headers are not forwarded. Errors:
// no endpoints 503, unreachable or broken upstream 502 (idempotent requests and refused connects
// are retried on another endpoint first), silent upstream 504, bad request 400, head too large 431.
#include <netinet/tcp.h>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "pump.h"

namespace kubelite {
namespace {

constexpr size_t kMaxHead = 64 * 1024;
constexpr size_t kHighWater = 256 * 1024;  // pending bytes at which the other side stops being read
constexpr int64_t kIdleUpstreamMs = 60000;  // pooled connections unused this long are closed

enum Body { kNone = 0, kLength = 1, kChunked = 2, kUntilClose = 3 };

// ------------------------------------------------------------------ framing

bool name_is(const char* p, size_t n, const char* lower) {
  size_t m = strlen(lower);
  if (n != m) return false;
  for (size_t i = 0; i < n; i++)
    if ((p[i] | 0x20) != lower[i]) return false;
  return true;
}

bool value_has(const char* p, const char* end, const char* token) {
  size_t m = strlen(token);
  for (; p + m <= end; p++) {
    size_t j = 0;
    while (j < m && (p[j] | 0x20) == token[j]) j++;
    if (j == m) return true;
  }
  return false;
}

struct Head {
  bool invalid = false, is_head = false, idempotent = false, http10 = false;
  bool conn_close = false, conn_keep_alive = false;
  int status = 0;
  Body body = kNone;
  uint64_t length = 0;
  size_t start_line_end = 0;
  std::vector<std::pair<size_t, size_t>> hop;  // header lines to drop

  /** Clears the fields for the next message, keeping `hop`'s allocation. */
  void reset() {
    invalid = is_head = idempotent = http10 = conn_close = conn_keep_alive = false;
    status = 0;
    body = kNone;
    length = 0;
    start_line_end = 0;
    hop.clear();
  }

  void headers(const char* b, size_t from, size_t end) {
    Body framing = kUntilClose;
    size_t pos = from, last = end - 2;
    while (pos < last) {
      const char* line = b + pos;
      const char* eol = static_cast<const char*>(memmem(line, last - pos, "\r\n", 2));
      size_t line_end = eol ? size_t(eol - b) : last;
      const char* colon = static_cast<const char*>(memchr(line, ':', line_end - pos));
      if (colon == nullptr) {
        invalid = true;
        break;
      }
      size_t name_len = colon - line;
      const char* v = colon + 1;
      const char* vend = b + line_end;
      while (v < vend && (*v == ' ' || *v == '\t')) v++;
      if (name_is(line, name_len, "content-length")) {
        uint64_t n = 0;
        int digits = 0;
        for (const char* d = v; d < vend && *d >= '0' && *d <= '9'; d++, digits++) n = n * 10 + (*d - '0');
        if (digits == 0 || (framing == kLength && n != length)) invalid = true;
        if (framing != kChunked) framing = kLength;
        length = n;
      } else if (name_is(line, name_len, "transfer-encoding")) {
        if (value_has(v, vend, "chunked")) framing = kChunked;
      } else if (name_is(line, name_len, "connection")) {
        if (value_has(v, vend, "close")) conn_close = true;
        if (value_has(v, vend, "keep-alive")) conn_keep_alive = true;
        hop.push_back({pos, line_end + 2});
      } else if (name_is(line, name_len, "keep-alive")) {
        hop.push_back({pos, line_end + 2});
      }
      pos = line_end + 2;
    }
    body = framing;
  }

  void request(const char* b, size_t end) {
    reset();
    const char* eol = static_cast<const char*>(memmem(b, end, "\r\n", 2));
    const char* sp = static_cast<const char*>(memchr(b, ' ', end));
    if (!eol || !sp || sp > eol || eol - b < 14) {
      invalid = true;
      return;
    }
    size_t m = sp - b;
    is_head = m == 4 && memcmp(b, "HEAD", 4) == 0;
    idempotent = is_head || (m == 3 && (memcmp(b, "GET", 3) == 0 || memcmp(b, "PUT", 3) == 0)) ||
                 (m == 6 && memcmp(b, "DELETE", 6) == 0) || (m == 7 && memcmp(b, "OPTIONS", 7) == 0) ||
                 (m == 5 && memcmp(b, "TRACE", 5) == 0);
    http10 = memcmp(eol - 8, "HTTP/1.0", 8) == 0;
    start_line_end = eol - b + 2;
    headers(b, start_line_end, end);
    if (body == kUntilClose) body = kNone;  // requests without framing have no body
  }

  void response(const char* b, size_t end) {
    reset();
    const char* eol = static_cast<const char*>(memmem(b, end, "\r\n", 2));
    if (!eol || eol - b < 12 || memcmp(b, "HTTP/1.", 7) != 0 || b[8] != ' ') {
      invalid = true;
      return;
    }
    http10 = b[7] == '0';
    status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
    start_line_end = eol - b + 2;
    headers(b, start_line_end, end);
  }
};

/** Appends the head `b[0, end)` with `insert` after its start line and without hop-by-hop lines. */
void rewrite_head(Buf& out, const char* b, size_t end, const Head& h, const char* insert, size_t insert_len) {
  out.append(b, h.start_line_end);
  out.append(insert, insert_len);
  size_t pos = h.start_line_end;
  for (auto& r : h.hop) {
    out.append(b + pos, r.first - pos);
    pos = r.second;
  }
  out.append(b + pos, end - pos);
}

/** Follows chunked framing to find where a message ends. */
struct Chunked {
  enum State { kSize, kExt, kSizeLf, kData, kDataCr, kDataLf, kTrailerStart, kTrailerLine, kTrailerLf, kFinalLf };
  State state = kSize;
  uint64_t remaining = 0;
  bool digit = false, invalid = false;
  void reset() { *this = Chunked(); }
  // Returns the offset just past the end of the message in p[0, n), or -1 when it goes on.
  ssize_t feed(const char* p, size_t n) {
    size_t i = 0;
    while (i < n) {
      switch (state) {
        case kData: {
          size_t take = remaining < n - i ? remaining : n - i;
          i += take, remaining -= take;
          if (remaining == 0) state = kDataCr;
          break;
        }
        case kSize: {
          char c = p[i++];
          int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
          if (d >= 0) remaining = remaining * 16 + d, digit = true;
          else if (c == '\r' && digit) state = kSizeLf;
          else if ((c == ';' || c == ' ' || c == '\t') && digit) state = kExt;
          else return fail();
          break;
        }
        case kExt:
          if (p[i++] == '\r') state = kSizeLf;
          break;
        case kSizeLf:
          if (p[i++] != '\n') return fail();
          digit = false;
          state = remaining == 0 ? kTrailerStart : kData;
          break;
        case kDataCr:
          if (p[i++] != '\r') return fail();
          state = kDataLf;
          break;
        case kDataLf:
          if (p[i++] != '\n') return fail();
          state = kSize;
          break;
        case kTrailerStart:
          state = p[i++] == '\r' ? kFinalLf : kTrailerLine;
          break;
        case kTrailerLine:
          if (p[i++] == '\r') state = kTrailerLf;
          break;
        case kTrailerLf:
          if (p[i++] != '\n') return fail();
          state = kTrailerStart;
          break;
        case kFinalLf:
          if (p[i++] != '\n') return fail();
          state = kSize;
          return ssize_t(i);
      }
    }
    return -1;
  }
  ssize_t fail() {
    invalid = true;
    return -1;
  }
};

std::string canned(int code, const char* reason) {
  std::string body = std::string(reason) + "\n";
  return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// ------------------------------------------------------------------ model

struct Stats {
  Stat<double> connections, active, bytes_in, bytes_out, connect_errors, retries, count, sum;
  std::vector<double> bounds;
  std::unique_ptr<Stat<double>[]> buckets;  // bounds.size() + 1 (the last is +Inf)
  Stat<double> codes[600];
};

struct Service;
struct Upstream;
struct Client;

struct Backend {
  sockaddr_in addr{};
  int outstanding = 0;
  bool removed = false;
  int refs = 1;  // the service's set, plus each upstream connection
  std::vector<Upstream*> idle;
};

void unref(Backend* b) {
  if (--b->refs == 0) delete b;
}

struct Options {
  int max_attempts = 3;
  int64_t connect_timeout_ms = 1000, upstream_timeout_ms = 60000, client_idle_ms = 120000;
  /** A request head must be complete this long after its first byte (slowloris; HAProxy's `timeout http-request`). */
  int64_t request_head_ms = 10000;
  size_t max_idle = 512;
};

struct Listener : Handle, Buried {
  int fd = -1;
  Service* service = nullptr;
  void on_event(Worker& w, uint32_t events) override;
};

struct Service {
  double id = 0;
  Options options;
  Stats stats;
  std::vector<Backend*> backends;
  size_t rr = 0;
  std::vector<Listener*> listeners;
  int refs = 1;  // the registry, plus each client
  bool closed = false;
};

void unref(Service* s) {
  if (--s->refs == 0) delete s;
}

struct Upstream : Handle, Buried {
  int fd = -1;
  Backend* backend = nullptr;
  Client* client = nullptr;
  bool connected = false, reused = false, started = false, dead = false, paused = false;
  bool hup = false;  // a FIN or error was reported: read until EOF
  int64_t since_ms = 0;  // connect start, or last activity
  Buf in, out;
  Head head;
  Body body = kNone;
  uint64_t remaining = 0;
  Chunked chunked;
  void on_event(Worker& w, uint32_t events) override;
};

enum ClientState { kIdle, kBusy, kClosing };

struct Client : Handle, Buried {
  int fd = -1;
  Service* service = nullptr;
  ClientState state = kIdle;
  bool dead = false, eof = false, paused = false, head_sent = false, retriable = false, keep_alive = true;
  bool shut = false;  // our write side is shut (FIN sent)
  bool hup = false;   // a FIN or error was reported: read until EOF
  bool is_head = false;
  int64_t last_ms = 0, started_us = 0;
  int64_t head_since_ms = 0;  // when an incomplete request head was first seen (0: none pending)
  int attempts = 0, status = 0;
  char xff[64];
  size_t xff_len = 0;
  Buf in, out, forward_head;
  Head head;
  Body req_body = kNone;
  int64_t req_remaining = 0;  // -1: chunked, until the tracker ends it
  Chunked req_chunked;
  std::vector<Backend*> tried;
  Backend* backend = nullptr;
  Upstream* up = nullptr;
  void on_event(Worker& w, uint32_t events) override;
};

struct Engine {
  std::unordered_map<double, Service*> services;
  std::unordered_set<Client*> clients;
  std::unordered_set<Upstream*> upstreams;
  std::string r400 = canned(400, "Bad Request"), r431 = canned(431, "Request Header Fields Too Large"),
              r502 = canned(502, "Bad Gateway"), r503 = canned(503, "Service Unavailable"),
              r504 = canned(504, "Gateway Timeout"), r408 = canned(408, "Request Timeout");
};
Engine* engine = nullptr;  // owned by worker 0's thread (created by the first command)
// The JS thread's view: services it created and has not closed (for stats; counters are atomics).
std::unordered_map<double, Service*> js_services;

// ------------------------------------------------------------------ upstreams

void close_upstream(Worker& w, Upstream* u) {
  if (u->dead) return;
  u->dead = true;
  close(u->fd);  // created here, never duplicated: close() also leaves the epoll set
  auto& idle = u->backend->idle;
  for (size_t i = 0; i < idle.size(); i++)
    if (idle[i] == u) {
      idle.erase(idle.begin() + i);
      break;
    }
  engine->upstreams.erase(u);
  unref(u->backend);
  w.bury(u);
}

Upstream* acquire(Worker& w, Backend* b, Client* c) {
  while (!b->idle.empty()) {
    Upstream* u = b->idle.back();
    b->idle.pop_back();
    if (u->dead) continue;
    u->client = c;
    u->started = false;
    u->since_ms = now_ms();
    return u;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  Upstream* u = new Upstream();
  u->fd = fd;
  u->backend = b;
  b->refs++;
  u->client = c;
  u->since_ms = now_ms();
  engine->upstreams.insert(u);
  int r = connect(fd, reinterpret_cast<sockaddr*>(&b->addr), sizeof b->addr);
  if (r == 0) u->connected = true;
  if ((r == 0 || errno == EINPROGRESS) && w.watch(fd, u)) return u;
  // Refused at once (loopback): report through the normal failure path on the next turn.
  u->connected = false;
  w.watch(fd, u);  // EPOLLERR/HUP will arrive for a failed socket
  return u;
}

void release(Worker& w, Upstream* u, size_t max_idle) {
  u->client = nullptr;
  u->reused = true;
  u->since_ms = now_ms();
  u->in.clear();
  Backend* b = u->backend;
  if (b->removed || b->idle.size() >= max_idle) {
    close_upstream(w, u);
    return;
  }
  b->idle.push_back(u);
}

// ------------------------------------------------------------------ clients

void client_read(Worker& w, Client* c);
void process(Worker& w, Client* c);

void close_client(Worker& w, Client* c) {
  if (c->dead) return;
  c->dead = true;
  if (c->up) {
    Upstream* u = c->up;
    c->up = nullptr;
    c->backend->outstanding--;
    u->client = nullptr;
    close_upstream(w, u);  // a response in flight cannot be reused safely
  }
  close(c->fd);  // accepted here, never duplicated: close() also leaves the epoll set
  c->service->stats.active.add(-1);
  engine->clients.erase(c);
  unref(c->service);
  w.bury(c);
}

/**
 * A closing client whose response is fully written: close at once when it asked for the close
 * (nothing more will come from it), otherwise send FIN and wait for its own.
 */
void finish_closing(Worker& w, Client* c) {
  if (c->dead || c->out.size() > 0) return;
  if (c->eof || c->head.conn_close || c->head.http10) return close_client(w, c);
  if (!c->shut) {
    c->shut = true;
    shutdown(c->fd, SHUT_WR);
  }
}

void observe(Client* c, int code) {
  Stats& s = c->service->stats;
  double seconds = (now_us() - c->started_us) / 1e6;
  size_t i = 0;
  while (i < s.bounds.size() && seconds > s.bounds[i]) i++;
  s.buckets[i].add(1);
  s.count.add(1);
  s.sum.add(seconds);
  if (code >= 0 && code < 600) s.codes[code].add(1);
}

/** Sends a canned error response and closes the client once it is written. */
void fail(Worker& w, Client* c, const std::string& response, int code) {
  observe(c, code);
  c->state = kClosing;
  c->in.clear();
  if (!send_or_queue(c->fd, c->out, response.data(), response.size())) return close_client(w, c);
  c->service->stats.bytes_out.add(response.size());
  finish_closing(w, c);
}

bool write_client(Worker& w, Client* c, const char* p, size_t n) {
  c->service->stats.bytes_out.add(n);
  if (!send_or_queue(c->fd, c->out, p, n)) {
    close_client(w, c);
    return false;
  }
  return true;
}

Backend* pick(Client* c) {
  Service* s = c->service;
  size_t n = s->backends.size();
  Backend* best = nullptr;
  size_t best_i = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = (s->rr + k) % n;
    Backend* b = s->backends[i];
    bool tried = false;
    for (Backend* t : c->tried) tried = tried || t == b;
    if (tried) continue;
    if (!best || b->outstanding < best->outstanding) best = b, best_i = i;
  }
  if (best) s->rr = (best_i + 1) % n;
  return best;
}

void send_head(Worker& w, Client* c, Upstream* u);

/** Reads again from a client paused on a backlog, once the backlog has room (edge-triggered: no new edge comes). */
void resume_client(Worker& w, Client* c) {
  if (c->dead || !c->paused || c->in.size() > kMaxHead || (c->up && c->up->out.size() > kHighWater)) return;
  c->paused = false;
  client_read(w, c);
}

void dispatch(Worker& w, Client* c) {
  Service* s = c->service;
  Backend* b = c->attempts < s->options.max_attempts ? pick(c) : nullptr;
  if (!b) {
    bool empty = s->backends.empty();
    return fail(w, c, empty ? engine->r503 : engine->r502, empty ? 503 : 502);
  }
  if (c->attempts > 0) s->stats.retries.add(1);
  c->attempts++;
  c->backend = b;
  b->outstanding++;
  Upstream* u = acquire(w, b, c);
  if (!u) {
    b->outstanding--;
    c->tried.push_back(b);
    return dispatch(w, c);
  }
  c->up = u;
  if (u->connected) send_head(w, c, u);
}

void forward_body(Worker& w, Client* c);

void send_head(Worker& w, Client* c, Upstream* u) {
  if (!send_or_queue(u->fd, u->out, c->forward_head.begin(), c->forward_head.size())) return;  // EPOLLERR follows
  c->head_sent = true;
  c->service->stats.bytes_in.add(c->forward_head.size());
  forward_body(w, c);
}

/** Moves buffered request body bytes to the upstream. */
void forward_body(Worker& w, Client* c) {
  Upstream* u = c->up;
  if (!u || !c->head_sent || c->req_remaining == 0 || c->in.size() == 0) return;
  size_t n = c->in.size();
  if (c->req_remaining < 0) {
    ssize_t end = c->req_chunked.feed(c->in.begin(), n);
    if (c->req_chunked.invalid) return fail(w, c, engine->r400, 400);
    if (end >= 0) n = size_t(end), c->req_remaining = 0;
  } else if (uint64_t(c->req_remaining) < n) {
    n = size_t(c->req_remaining);
  }
  if (c->req_remaining > 0) c->req_remaining -= n;
  c->service->stats.bytes_in.add(n);
  if (!send_or_queue(u->fd, u->out, c->in.begin(), n)) return;
  c->in.consume(n);
}

void complete(Worker& w, Client* c, Upstream* u, bool upstream_closing) {
  observe(c, c->status);
  c->backend->outstanding--;
  c->backend = nullptr;
  c->up = nullptr;
  if (upstream_closing || c->req_remaining != 0 || u->out.size() > 0) close_upstream(w, u);
  else release(w, u, c->service->options.max_idle);
  if (!c->keep_alive || c->req_remaining != 0) {
    c->state = kClosing;
    c->in.clear();
    finish_closing(w, c);
    return;
  }
  c->state = kIdle;
  c->forward_head.clear();
  process(w, c);
  resume_client(w, c);
}

/** The upstream failed (connect, error or close) while serving the client's request. */
void upstream_failed(Worker& w, Upstream* u) {
  Client* c = u->client;
  bool connected = u->connected, reused = u->reused, started = u->started, until_close = u->body == kUntilClose;
  u->client = nullptr;
  if (!c || c->dead) return close_upstream(w, u);
  if (started && until_close) {
    c->keep_alive = false;
    return complete(w, c, u, true);
  }
  close_upstream(w, u);
  c->up = nullptr;
  c->backend->outstanding--;
  c->head_sent = false;
  if (!connected) {
    c->service->stats.connect_errors.add(1);
    c->tried.push_back(c->backend);
  }
  if (!started) {
    if (!connected || (reused && c->retriable)) return dispatch(w, c);
    return fail(w, c, engine->r502, 502);
  }
  close_client(w, c);  // broken mid-response: never let a truncated body pass as whole
}

/**
 * How many of the `avail` bytes at `p` belong to the current response body; `done` at its end.
 * -1 on broken chunked framing.
 */
ssize_t body_bytes(Upstream* u, const char* p, size_t avail, bool& done) {
  done = false;
  switch (u->body) {
    case kNone:
      done = true;
      return 0;
    case kLength:
      if (u->remaining <= avail) avail = size_t(u->remaining), done = true;
      u->remaining -= avail;
      return ssize_t(avail);
    case kChunked: {
      ssize_t end = u->chunked.feed(p, avail);
      if (u->chunked.invalid) return -1;
      if (end >= 0) done = true;
      return end >= 0 ? end : ssize_t(avail);
    }
    default:
      return ssize_t(avail);
  }
}

/** Forwards response bytes: the head goes out with the first body bytes in one send. */
void upstream_data(Worker& w, Upstream* u) {
  Client* c = u->client;
  thread_local Buf rewritten;
  while (c && !c->dead && u->in.size() > 0) {
    size_t head_len = 0;  // head bytes at the front of u->in, sent as they are
    bool rewrite = false;
    if (!u->started) {
      const char* b = u->in.begin();
      size_t n = u->in.size();
      const char* mark = static_cast<const char*>(memmem(b, n, "\r\n\r\n", 4));
      if (!mark) {
        if (n > kMaxHead) return upstream_failed(w, u);
        return;
      }
      size_t end = mark - b + 4;
      Head& h = u->head;
      h.response(b, end);
      if (h.invalid) return upstream_failed(w, u);
      u->started = true;
      c->status = h.status;
      if (h.status >= 100 && h.status < 200) {
        // Interim responses are forwarded; 101 (protocol switch) is not supported by this engine.
        if (h.status == 101) return upstream_failed(w, u);
        u->started = false;
        if (!write_client(w, c, b, end)) return;
        u->in.consume(end);
        continue;
      }
      Body body = h.body;
      if (c->is_head || h.status == 204 || h.status == 304) body = kNone;
      u->body = body;
      u->remaining = body == kLength ? h.length : 0;
      if (body == kChunked) u->chunked.reset();
      if (body == kUntilClose) c->keep_alive = false;
      rewrite = !c->keep_alive && !h.conn_close;
      if (rewrite) {
        // The client's connection ends with this response: say so.
        static const char close_line[] = "Connection: close\r\n";
        rewritten.clear();
        rewrite_head(rewritten, b, end, h, close_line, sizeof close_line - 1);
        u->in.consume(end);
      } else {
        head_len = end;
      }
    }
    const char* p = u->in.begin() + head_len;
    bool done;
    ssize_t n = body_bytes(u, p, u->in.size() - head_len, done);
    if (n < 0) return upstream_failed(w, u);
    if (rewrite) {
      rewritten.append(p, size_t(n));
      if (!write_client(w, c, rewritten.begin(), rewritten.size())) return;
    } else if (head_len + size_t(n) > 0 && !write_client(w, c, u->in.begin(), head_len + size_t(n))) {
      return;
    }
    u->in.consume(head_len + size_t(n));
    if (done) return complete(w, c, u, u->head.conn_close || u->head.http10 || u->in.size() > 0);
    if (c->out.size() > kHighWater) {
      u->paused = true;  // the client reads slowly: stop reading the upstream until it drains
      return;
    }
  }
}

/** Reads everything the upstream has (unless paused by a slow client) and forwards it. */
void upstream_read(Worker& w, Upstream* u) {
  for (;;) {
    if (u->paused || u->dead) return;
    ssize_t r = recv(u->fd, w.buf, kChunk, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      return upstream_failed(w, u);
    }
    if (r == 0) return upstream_failed(w, u);
    u->since_ms = now_ms();
    if (!u->client) return close_upstream(w, u);  // bytes on an idle connection: out of step
    u->in.append(w.buf, r);
    upstream_data(w, u);
    // A short read of a stream socket drains it (epoll(7)): the next bytes bring a new edge.
    if (u->dead || (size_t(r) < kChunk && !u->hup)) return;
  }
}

void Upstream::on_event(Worker& w, uint32_t e) {
  if (dead) return;
  if (!connected) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (e & (EPOLLERR | EPOLLHUP))) return upstream_failed(w, this);
    if (!(e & EPOLLOUT)) return;
    connected = true;
    since_ms = now_ms();
    if (client) send_head(w, client, this);
    if (dead) return;
  }
  if (e & EPOLLOUT) {
    if (!flush(fd, out)) return upstream_failed(w, this);
    // The upstream took the queued body: read more of it from the client.
    if (client) {
      resume_client(w, client);
      if (dead) return;
    }
  }
  if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) hup = true;
  if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) upstream_read(w, this);
}

/** Parses and starts buffered requests while the client is idle. */
void process(Worker& w, Client* c) {
  while (!c->dead) {
    if (c->state == kBusy) {
      forward_body(w, c);
      return;
    }
    if (c->state != kIdle || c->in.size() == 0) return;
    const char* b = c->in.begin();
    size_t n = c->in.size();
    c->started_us = now_us();
    const char* mark = static_cast<const char*>(memmem(b, n, "\r\n\r\n", 4));
    if (!mark) {
      if (n > kMaxHead) fail(w, c, engine->r431, 431);
      else if (c->head_since_ms == 0) c->head_since_ms = now_ms();  // the sweep enforces the deadline
      return;
    }
    c->head_since_ms = 0;
    size_t end = mark - b + 4;
    Head& h = c->head;
    h.request(b, end);
    if (h.invalid) return fail(w, c, engine->r400, 400);
    c->keep_alive = !h.conn_close && (!h.http10 || h.conn_keep_alive) && !c->eof;
    c->is_head = h.is_head;
    c->forward_head.clear();
    if (h.http10) {
      static const char keep_alive[] = "Connection: keep-alive\r\n";
      char insert[128];
      memcpy(insert, c->xff, c->xff_len);
      memcpy(insert + c->xff_len, keep_alive, sizeof keep_alive - 1);
      rewrite_head(c->forward_head, b, end, h, insert, c->xff_len + sizeof keep_alive - 1);
    } else {
      rewrite_head(c->forward_head, b, end, h, c->xff, c->xff_len);
    }
    c->req_body = h.body;
    c->req_remaining = h.body == kLength ? int64_t(h.length) : h.body == kChunked ? -1 : 0;
    if (h.body == kChunked) c->req_chunked.reset();
    c->retriable = h.idempotent && c->req_remaining == 0;
    c->in.consume(end);
    c->state = kBusy;
    c->attempts = 0;
    c->status = 0;
    c->head_sent = false;
    c->tried.clear();
    dispatch(w, c);
  }
}

void client_read(Worker& w, Client* c) {
  for (;;) {
    if (c->dead || c->paused || c->eof) return;
    // Backlog limits: a head that cannot end, a pipelined backlog, or a body the upstream is not taking.
    if (c->in.size() > kMaxHead + kChunk || (c->up && c->up->out.size() > kHighWater)) {
      c->paused = true;
      return;
    }
    ssize_t r = recv(c->fd, w.buf, kChunk, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      return close_client(w, c);
    }
    if (r == 0) {
      c->eof = true;
      c->keep_alive = false;
      if (c->state == kIdle && c->in.size() == 0) return close_client(w, c);
      if (c->state == kClosing && c->out.size() == 0) return close_client(w, c);
      process(w, c);
      return;
    }
    c->last_ms = now_ms();
    c->in.append(w.buf, r);
    process(w, c);
    if (size_t(r) < kChunk && !c->hup) return;  // drained (epoll(7)); spare the EAGAIN read
  }
}

void Client::on_event(Worker& w, uint32_t e) {
  if (dead) return;
  if (e & EPOLLOUT) {
    if (!flush(fd, out)) return close_client(w, this);
    if (state == kClosing) {
      finish_closing(w, this);
      if (dead) return;
    }
    if (up && up->paused && out.size() < kHighWater) {
      up->paused = false;
      upstream_read(w, up);
      if (dead) return;
    }
  }
  if (e & (EPOLLERR | EPOLLHUP)) return close_client(w, this);
  if (e & EPOLLRDHUP) hup = true;
  if (e & (EPOLLIN | EPOLLRDHUP)) {
    if (paused) resume_client(w, this);
    else client_read(w, this);
  }
}

void Listener::on_event(Worker& w, uint32_t) {
  for (;;) {
    if (service == nullptr) return;  // closed
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int fd = accept4(this->fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a transient error (EMFILE...): the next edge retries
    if (service->closed) {
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Client* c = new Client();
    c->fd = fd;
    c->service = service;
    service->refs++;
    c->last_ms = now_ms();
    char ip[INET_ADDRSTRLEN] = "";
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    c->xff_len = size_t(snprintf(c->xff, sizeof c->xff, "X-Forwarded-For: %s\r\n", ip));
    service->stats.connections.add(1);
    service->stats.active.add(1);
    engine->clients.insert(c);
    if (!w.watch(fd, c)) close_client(w, c);
  }
}

void sweep(Worker& w, int64_t now) {
  if (!engine) return;
  std::vector<Client*> idle, slow;
  for (Client* c : engine->clients) {
    const Options& o = c->service->options;
    if (c->state == kIdle && c->head_since_ms != 0 && now - c->head_since_ms > o.request_head_ms) slow.push_back(c);
    else if (c->state != kBusy && now - c->last_ms > o.client_idle_ms) idle.push_back(c);
  }
  for (Client* c : idle) close_client(w, c);
  for (Client* c : slow) fail(w, c, engine->r408, 408);
  std::vector<Upstream*> silent;
  for (Upstream* u : engine->upstreams) {
    int64_t limit = kIdleUpstreamMs;
    if (u->client) {
      const Options& o = u->client->service->options;
      limit = u->connected ? o.upstream_timeout_ms : o.connect_timeout_ms;
    }
    if (now - u->since_ms > limit) silent.push_back(u);
  }
  for (Upstream* u : silent) {
    Client* c = u->client;
    if (c && u->connected && !u->started) {
      // Silent upstream: 504 (not retried: the request may have had effects).
      u->client = nullptr;
      close_upstream(w, u);
      c->up = nullptr;
      c->backend->outstanding--;
      fail(w, c, engine->r504, 504);
    } else if (c && !u->connected) {
      upstream_failed(w, u);  // connect timeout: retried on another endpoint
    } else {
      if (c) {
        u->client = nullptr;
        c->up = nullptr;
        c->backend->outstanding--;
        close_client(w, c);
      }
      close_upstream(w, u);
    }
  }
}

// ------------------------------------------------------------------ JS API

void ensure_engine(Worker& w) {
  if (engine) return;
  engine = new Engine();
  w.sweepers.push_back(sweep);
}

void drop_idle(Worker& w, Backend* b) {
  std::vector<Upstream*> idle;
  idle.swap(b->idle);
  for (Upstream* u : idle) close_upstream(w, u);
}

// httpCreate(id, [maxAttempts, connectTimeoutMs, upstreamTimeoutMs, clientIdleMs, maxIdle, requestHeadMs], bucketBounds[])
napi_value HttpCreate(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 3);
  Worker* w = service_worker();
  if (!w) return nullptr;
  Service* s = new Service();
  s->id = number(env, argv[0]);
  std::vector<double> o = numbers(env, argv[1]);
  o.resize(6);
  s->options.max_attempts = int(o[0]);
  s->options.connect_timeout_ms = int64_t(o[1]);
  s->options.upstream_timeout_ms = int64_t(o[2]);
  s->options.client_idle_ms = int64_t(o[3]);
  s->options.max_idle = size_t(o[4]);
  if (o[5] > 0) s->options.request_head_ms = int64_t(o[5]);
  s->stats.bounds = numbers(env, argv[2]);
  s->stats.buckets.reset(new Stat<double>[s->stats.bounds.size() + 1]);
  s->refs++;  // held by js_services until httpClose
  js_services[s->id] = s;
  w->post([s](Worker& self) {
    ensure_engine(self);
    engine->services[s->id] = s;
  });
  return nullptr;
}

// httpEndpoints(id, [ip, port, ...]): swaps the endpoint set at once.
napi_value HttpEndpoints(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 2);
  Worker* w = service_worker();
  if (!w) return nullptr;
  double id = number(env, argv[0]);
  std::vector<sockaddr_in> addrs = ipv4_endpoints(env, argv[1]);
  w->post([id, addrs](Worker& self) {
    auto it = engine->services.find(id);
    // Removed endpoints: requests in flight finish, idle pooled connections close.
    if (it != engine->services.end()) swap_endpoints(it->second->backends, addrs, [&](Backend* b) { drop_idle(self, b); });
  });
  return nullptr;
}

// httpListen(id, fd): serves the listening socket (a duplicate of `fd`; JS closes its own).
napi_value HttpListen(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 2);
  int fd = dup_listener(env, argv[1]);
  if (fd < 0) return boolean(env, false);
  double id = number(env, argv[0]);
  service_worker()->post([id, fd](Worker& self) {
    auto it = engine->services.find(id);
    if (it == engine->services.end()) return void(close(fd));
    Listener* l = new Listener();
    l->fd = fd;
    l->service = it->second;
    it->second->listeners.push_back(l);
    start_listener(self, fd, l);
  });
  return boolean(env, true);
}

/** On the service worker: closes the listeners of an http service and drops it (open clients finish). */
void close_http_service(Worker& self, double id) {
  auto it = engine->services.find(id);
  if (it == engine->services.end()) return;
  Service* s = it->second;
  engine->services.erase(it);
  s->closed = true;
  for (Listener* l : s->listeners) {
    self.unwatch(l->fd);
    close(l->fd);
    l->service = nullptr;
    self.bury(l);
  }
  s->listeners.clear();
  swap_endpoints(s->backends, {}, [&](Backend* b) { drop_idle(self, b); });
  unref(s);
}

// httpClose(id, ticket): stops accepting; open client connections finish their requests. True when
// `ticket` is acknowledged once the listening descriptors are closed; false for an unknown id.
napi_value HttpClose(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 2);
  double id = number(env, argv[0]), ticket = number(env, argv[1]);
  auto known = js_services.find(id);
  if (!service_worker() || known == js_services.end()) return boolean(env, false);
  Service* held = known->second;
  js_services.erase(known);
  expect_acknowledgement(env);
  service_worker()->post([id, held, ticket](Worker& self) {
    unref(held);  // the JS thread's hold
    close_http_service(self, id);
    acknowledge(ticket);
  });
  return boolean(env, true);
}

// httpStats(id) -> Float64Array [connections, active, bytesIn, bytesOut, connectErrors, retries,
//   count, sumSeconds, bucket0..bucketN (+Inf last, not cumulative), then code, count pairs]
napi_value HttpStats(napi_env env, napi_callback_info info) {
  auto argv = args(env, info, 1);
  auto it = js_services.find(number(env, argv[0]));
  if (it == js_services.end()) return float64_array(env, {});
  Stats& st = it->second->stats;
  std::vector<double> out = {st.connections.get(),    st.active.get(),  st.bytes_in.get(), st.bytes_out.get(),
                             st.connect_errors.get(), st.retries.get(), st.count.get(),    st.sum.get()};
  for (size_t i = 0; i <= st.bounds.size(); i++) out.push_back(st.buckets[i].get());
  for (int code = 0; code < 600; code++) {
    double c = st.codes[code].get();
    if (c > 0) out.push_back(code), out.push_back(c);
  }
  return float64_array(env, out);
}

}  // namespace

void register_http(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"httpCreate", nullptr, HttpCreate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"httpEndpoints", nullptr, HttpEndpoints, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"httpListen", nullptr, HttpListen, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"httpClose", nullptr, HttpClose, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"httpStats", nullptr, HttpStats, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, 5, props);
}

}  // namespace kubelite
