// A UDP socket read and written in batches: recvmmsg(2) and sendmmsg(2), so a DNS listener pays
// one system call and one call into JavaScript for up to BATCH datagrams instead of one of each
// per datagram (node:dgram has no batched path). Linux only; the JavaScript side falls back to
// node:dgram when this addon is not built.
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 32
// Datagrams larger than this are dropped and counted (a DNS query is a few hundred bytes; RFC 6891
// clients size the answers, not their questions, to their buffer).
#define SLOT 4096
#define SLOTS_BYTES ((size_t)BATCH * SLOT)
// Ints per datagram in the shared address array: offset, length, port, address (4 words, network
// order folded into host-order words; IPv4 uses the first), IPv6 scope id.
#define STRIDE 8
// recvmmsg rounds for one readiness event before the event loop gets a turn (timers, upstream answers).
#define ROUNDS 8

typedef struct {
  int fd;
  int v6;
  int closed;
  // connected to one peer (an upstream): sends take no address, and a receive error (an ICMP
  // "port unreachable" as ECONNREFUSED) goes to JavaScript as callback(undefined, -errno)
  int connected;
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_ref meta_ref;
  napi_ref names_ref;
  int32_t *meta;
  napi_async_context async;
  unsigned char *slots;
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in6 addrs[BATCH];
  double oversized;
  double recv_errors;
} Sock;

#define CHECK(call)                                                                 \
  do {                                                                              \
    if ((call) != napi_ok) {                                                        \
      napi_throw_error(env, NULL, "udp-batch: " #call " failed");                    \
      return NULL;                                                                  \
    }                                                                               \
  } while (0)

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s %s", syscall, strerror(err));
  napi_value error, code, message;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  const char *name = err == EADDRINUSE ? "EADDRINUSE" : err == EACCES ? "EACCES" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : err == EINVAL ? "EINVAL"
                     : err == ENETUNREACH ? "ENETUNREACH" : err == EAFNOSUPPORT ? "EAFNOSUPPORT" : "ESYSCALL";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_set_named_property(env, error, "code", code);
  napi_value no;
  napi_create_int32(env, err, &no);
  napi_set_named_property(env, error, "errno", no);
  napi_throw(env, error);
  return NULL;
}

static Sock *sock_of(napi_env env, napi_value v) {
  Sock *s = NULL;
  if (napi_get_value_external(env, v, (void **)&s) != napi_ok || s == NULL) {
    napi_throw_type_error(env, NULL, "udp-batch: not a socket handle");
    return NULL;
  }
  return s;
}

static void free_sock(Sock *s) {
  if (s->slots != NULL) munmap(s->slots, SLOTS_BYTES);
  free(s);
}

static void on_poll_closed(uv_handle_t *h) {
  free_sock((Sock *)h->data);
}

// open(host, port, v6, bufferBytes[, connect]) -> [handle, localPort]
// connect false: bound to host:port (a listener). connect true: host:port is the peer; the
// kernel binds the socket to a random ephemeral port and connects it (the kernel then drops
// datagrams from anyone else).
static napi_value sock_open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char host[INET6_ADDRSTRLEN + 1];
  size_t host_len = 0;
  int32_t port = 0, buf_bytes = 0;
  bool v6 = false, to_peer = false;
  if (argc < 4 || napi_get_value_string_latin1(env, argv[0], host, sizeof host, &host_len) != napi_ok ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok || napi_get_value_bool(env, argv[2], &v6) != napi_ok ||
      napi_get_value_int32(env, argv[3], &buf_bytes) != napi_ok || port < 0 || port > 65535 ||
      (argc >= 5 && napi_get_value_bool(env, argv[4], &to_peer) != napi_ok)) {
    napi_throw_type_error(env, NULL, "udp-batch: open(host, port, v6, bufferBytes[, connect])");
    return NULL;
  }
  struct sockaddr_in6 a6;
  struct sockaddr_in a4;
  memset(&a6, 0, sizeof a6);
  memset(&a4, 0, sizeof a4);
  if (v6) {
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a6.sin6_addr) != 1) return throw_errno(env, "inet_pton", EINVAL);
  } else {
    a4.sin_family = AF_INET;
    a4.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a4.sin_addr) != 1) return throw_errno(env, "inet_pton", EINVAL);
  }
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1;
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (buf_bytes > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf_bytes, sizeof buf_bytes);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf_bytes, sizeof buf_bytes);
  }
  struct sockaddr *addr = v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4;
  socklen_t addr_len = v6 ? sizeof a6 : sizeof a4;
  int rc = to_peer ? connect(fd, addr, addr_len) : bind(fd, addr, addr_len);
  if (rc != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, to_peer ? "connect" : "bind", err);
  }
  struct sockaddr_in6 bound;
  socklen_t bound_len = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &bound_len);
  int bound_port = ntohs(v6 ? bound.sin6_port : ((struct sockaddr_in *)&bound)->sin_port);

  Sock *s = calloc(1, sizeof(Sock));
  // Mapped, not malloc'd: only the slots a burst filled become resident, and all of it goes back
  // to the kernel at close. From malloc's heap, the upstream sockets (16 an upstream, replaced
  // every 256 queries) left ~2 MB of touched free chunks resident (measured at 1,000 qps).
  unsigned char *slots = mmap(NULL, SLOTS_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (slots == MAP_FAILED) slots = NULL;
  if (s == NULL || slots == NULL) {
    free(s);
    if (slots != NULL) munmap(slots, SLOTS_BYTES);
    close(fd);
    return throw_errno(env, "malloc", ENOMEM);
  }
  s->fd = fd;
  s->v6 = v6;
  s->connected = to_peer;
  s->env = env;
  s->slots = slots;
  s->poll.data = s;
  napi_value handle, result, port_value;
  CHECK(napi_create_external(env, s, NULL, NULL, &handle));
  CHECK(napi_create_array_with_length(env, 2, &result));
  CHECK(napi_create_int32(env, bound_port, &port_value));
  CHECK(napi_set_element(env, result, 0, handle));
  CHECK(napi_set_element(env, result, 1, port_value));
  return result;
}

static void put_address(Sock *s, int32_t *m, const struct sockaddr_in6 *from) {
  if (s->v6) {
    m[2] = ntohs(from->sin6_port);
    const uint32_t *w = (const uint32_t *)&from->sin6_addr;
    for (int k = 0; k < 4; k++) m[3 + k] = (int32_t)ntohl(w[k]);
    m[7] = (int32_t)from->sin6_scope_id;
  } else {
    const struct sockaddr_in *f4 = (const struct sockaddr_in *)from;
    m[2] = ntohs(f4->sin_port);
    m[3] = (int32_t)ntohl(f4->sin_addr.s_addr);
    m[4] = m[5] = m[6] = m[7] = 0;
  }
}

// One batch to JavaScript: callback(buffer, count). Datagram i is buffer[meta[i*8] .. +meta[i*8+1]],
// its sender meta[i*8+2 ..]; for IPv6, names[i] is the sender's address as text.
static void deliver(Sock *s, int n) {
  napi_env env = s->env;
  size_t total = 0;
  for (int i = 0; i < n; i++)
    if (!(s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) total += s->msgs[i].msg_len;
  napi_value buffer, callback, meta_value, names, recv, argv[2];
  void *data = NULL;
  if (napi_create_buffer(env, total > 0 ? total : 1, &data, &buffer) != napi_ok) return;
  napi_get_reference_value(env, s->callback, &callback);
  napi_get_reference_value(env, s->meta_ref, &meta_value);
  napi_get_reference_value(env, s->names_ref, &names);
  size_t offset = 0;
  int kept = 0;
  for (int i = 0; i < n; i++) {
    if (s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
      s->oversized++;
      continue;
    }
    size_t len = s->msgs[i].msg_len;
    memcpy((unsigned char *)data + offset, s->slots + (size_t)i * SLOT, len);
    int32_t *m = s->meta + kept * STRIDE;
    m[0] = (int32_t)offset;
    m[1] = (int32_t)len;
    put_address(s, m, &s->addrs[i]);
    if (s->v6 && !s->connected) {
      char text[INET6_ADDRSTRLEN];
      napi_value name;
      inet_ntop(AF_INET6, &s->addrs[i].sin6_addr, text, sizeof text);
      napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &name);
      napi_set_element(env, names, (uint32_t)kept, name);
    }
    offset += len;
    kept++;
  }
  if (kept == 0) return;
  argv[0] = buffer;
  napi_create_int32(env, kept, &argv[1]);
  napi_get_global(env, &recv);  // make_callback wants an object as `this`
  napi_value ignored;
  // make_callback: the batch runs as its own macrotask (microtasks drain after it, async hooks see it)
  if (napi_make_callback(env, s->async, recv, callback, 2, argv, &ignored) == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
}

// A connected socket's receive error to JavaScript: callback(undefined, -errno).
static void deliver_error(Sock *s, int err) {
  napi_env env = s->env;
  napi_value callback, recv, argv[2], ignored;
  napi_get_reference_value(env, s->callback, &callback);
  napi_get_undefined(env, &argv[0]);
  napi_create_int32(env, -err, &argv[1]);
  napi_get_global(env, &recv);
  if (napi_make_callback(env, s->async, recv, callback, 2, argv, &ignored) == napi_pending_exception) {
    napi_value e;
    napi_get_and_clear_last_exception(env, &e);
    napi_fatal_exception(env, e);
  }
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  Sock *s = (Sock *)h->data;
  if (s->closed) return;
  if (status < 0) {
    // POLLERR: libuv has stopped the poll. The socket's pending error (an ICMP "port unreachable"
    // on a connected socket) is read, which clears it.
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    s->recv_errors++;
    if (s->connected) {
      napi_handle_scope scope;
      if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
      deliver_error(s, err != 0 ? err : EIO);
      napi_close_handle_scope(s->env, scope);
    } else if (!s->closed) {
      uv_poll_start(&s->poll, UV_READABLE, on_readable);
    }
    return;
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
  for (int round = 0; round < ROUNDS && !s->closed; round++) {
    for (int i = 0; i < BATCH; i++) {
      s->iov[i].iov_base = s->slots + (size_t)i * SLOT;
      s->iov[i].iov_len = SLOT;
      memset(&s->msgs[i], 0, sizeof s->msgs[i]);
      s->msgs[i].msg_hdr.msg_name = &s->addrs[i];
      s->msgs[i].msg_hdr.msg_namelen = sizeof s->addrs[i];
      s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
      s->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(s->fd, s->msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err != EAGAIN && err != EWOULDBLOCK) {
        s->recv_errors++;
        if (s->connected) deliver_error(s, err);
      }
      break;
    }
    if (n == 0) break;
    deliver(s, n);
    if (n < BATCH) break;
  }
  napi_close_handle_scope(s->env, scope);
}

// start(handle, meta: Int32Array(BATCH * 8), names: string[], callback)
static napi_value sock_start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "udp-batch: start(handle, meta, names, callback)");
    return NULL;
  }
  Sock *s = sock_of(env, argv[0]);
  if (s == NULL) return NULL;
  if (s->closed || s->callback != NULL) {
    napi_throw_error(env, NULL, "udp-batch: socket closed or already started");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int32_array || length < BATCH * STRIDE) {
    napi_throw_type_error(env, NULL, "udp-batch: meta must be an Int32Array of BATCH * 8");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &s->poll, s->fd) != 0) return throw_errno(env, "uv_poll_init", EINVAL);
  s->poll.data = s;
  s->meta = (int32_t *)data;
  napi_value resource_name;
  CHECK(napi_create_string_utf8(env, "schoolgate:udp-batch", NAPI_AUTO_LENGTH, &resource_name));
  CHECK(napi_async_init(env, NULL, resource_name, &s->async));
  CHECK(napi_create_reference(env, argv[1], 1, &s->meta_ref));
  CHECK(napi_create_reference(env, argv[2], 1, &s->names_ref));
  CHECK(napi_create_reference(env, argv[3], 1, &s->callback));
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return NULL;
}

// send(handle, replies: Buffer[], addresses: Int32Array (8 ints each, as meta) | null, count) -> failed sends
// (null: a connected socket's datagrams, to its peer)
static napi_value sock_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Sock *s = argc >= 4 ? sock_of(env, argv[0]) : NULL;
  if (s == NULL) return NULL;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  uint32_t count = 0;
  napi_valuetype addr_type;
  CHECK(napi_typeof(env, argv[2], &addr_type));
  bool to_peer = addr_type == napi_null && s->connected;
  if ((!to_peer && (napi_get_typedarray_info(env, argv[2], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int32_array)) ||
      napi_get_value_uint32(env, argv[3], &count) != napi_ok || (!to_peer && (size_t)count * STRIDE > length)) {
    napi_throw_type_error(env, NULL, "udp-batch: send(handle, replies, addresses, count) (addresses null only on a connected socket)");
    return NULL;
  }
  const int32_t *addr = (const int32_t *)data;
  int failed = 0;
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in6 to[BATCH];
  for (uint32_t base = 0; base < count && !s->closed; base += BATCH) {
    uint32_t k = count - base < BATCH ? count - base : BATCH;
    uint32_t used = 0;
    for (uint32_t j = 0; j < k; j++) {
      napi_value reply;
      void *bytes;
      size_t len;
      if (napi_get_element(env, argv[1], base + j, &reply) != napi_ok || napi_get_buffer_info(env, reply, &bytes, &len) != napi_ok) {
        failed++;
        continue;
      }
      memset(&msgs[used], 0, sizeof msgs[used]);
      iov[used].iov_base = bytes;
      iov[used].iov_len = len;
      msgs[used].msg_hdr.msg_iov = &iov[used];
      msgs[used].msg_hdr.msg_iovlen = 1;
      if (to_peer) {
        used++;
        continue;
      }
      const int32_t *m = addr + (size_t)(base + j) * STRIDE;
      memset(&to[used], 0, sizeof to[used]);
      socklen_t to_len;
      if (s->v6) {
        to[used].sin6_family = AF_INET6;
        to[used].sin6_port = htons((uint16_t)m[2]);
        uint32_t *w = (uint32_t *)&to[used].sin6_addr;
        for (int q = 0; q < 4; q++) w[q] = htonl((uint32_t)m[3 + q]);
        to[used].sin6_scope_id = (uint32_t)m[7];
        to_len = sizeof(struct sockaddr_in6);
      } else {
        struct sockaddr_in *t4 = (struct sockaddr_in *)&to[used];
        t4->sin_family = AF_INET;
        t4->sin_port = htons((uint16_t)m[2]);
        t4->sin_addr.s_addr = htonl((uint32_t)m[3]);
        to_len = sizeof(struct sockaddr_in);
      }
      msgs[used].msg_hdr.msg_name = &to[used];
      msgs[used].msg_hdr.msg_namelen = to_len;
      used++;
    }
    // sendmmsg stops at the first datagram that fails: count it and go on after it
    uint32_t at = 0;
    while (at < used) {
      int sent = sendmmsg(s->fd, msgs + at, used - at, MSG_DONTWAIT);
      if (sent < 0) {
        if (errno == EINTR) continue;
        failed++;
        at++;
      } else {
        at += (uint32_t)sent;
      }
    }
  }
  napi_value result;
  CHECK(napi_create_int32(env, failed, &result));
  return result;
}

// stats(handle) -> [oversized datagrams dropped, receive errors]
static napi_value sock_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Sock *s = argc >= 1 ? sock_of(env, argv[0]) : NULL;
  if (s == NULL) return NULL;
  napi_value result, a, b;
  CHECK(napi_create_array_with_length(env, 2, &result));
  CHECK(napi_create_double(env, s->oversized, &a));
  CHECK(napi_create_double(env, s->recv_errors, &b));
  CHECK(napi_set_element(env, result, 0, a));
  CHECK(napi_set_element(env, result, 1, b));
  return result;
}

// close(handle): stops reading, closes the socket; the memory goes when libuv has closed the poll handle.
static napi_value sock_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Sock *s = argc >= 1 ? sock_of(env, argv[0]) : NULL;
  if (s == NULL || s->closed) return NULL;
  s->closed = 1;
  if (s->callback != NULL) {
    uv_poll_stop(&s->poll);
    napi_delete_reference(env, s->callback);
    napi_delete_reference(env, s->meta_ref);
    napi_delete_reference(env, s->names_ref);
    napi_async_destroy(env, s->async);
    close(s->fd);
    uv_close((uv_handle_t *)&s->poll, on_poll_closed);
  } else {
    close(s->fd);
    free_sock(s);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, sock_open, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, sock_start, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, sock_send, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, sock_stats, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, sock_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value batch, stride;
  napi_create_int32(env, BATCH, &batch);
  napi_create_int32(env, STRIDE, &stride);
  napi_set_named_property(env, exports, "BATCH", batch);
  napi_set_named_property(env, exports, "STRIDE", stride);
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
