// SPDX-License-Identifier: MIT
// The cost floor for bench/relay: a minimal WebSocket relay on raw epoll.
// One thread, level-triggered epoll, no JSON parser: it finds the few fields
// the bench's protocol subset needs by byte search (keys sorted as the
// codec writes them), forwards the chat text's bytes unchanged to the
// partner and acks the sender. Replies produced while handling one
// epoll_wait batch are written once per connection at the end of the batch
// (write coalescing), reads take up to 64 KiB per call. It is not a server
// anyone should run: no limits beyond a frame size cap, no privacy grid,
// no rate limits. It answers how cheap relaying a message can be on this
// kernel, so the real server's cost has a floor to be measured against.
//
// Usage: relay [--listen 127.0.0.1] [--port 0]
// Prints the same ready line as whisperchat-server.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ST_HANDSHAKE, ST_LOBBY, ST_WAITING, ST_PAIRED };
#define MAX_FRAME (16 * 1024)

typedef struct {
    char *p;
    size_t len, cap, off;
} Buf;

typedef struct {
    int fd, state, partner, dirty, closing, waitIdx;
    double lat, lon, range;
    Buf in, out;
} Conn;

static Conn **g_conns;
static int g_cap;
static int *g_waiting, g_nwait, g_waitcap;
static int *g_dirty, g_ndirty, g_dirtycap;
static int g_epoll;
static uint64_t g_pairSeq, g_nowMs, g_nextId = 1;

static void bufReserve(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap)
        return;
    if (b->off > 0) { // compact before growing
        memmove(b->p, b->p + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
        if (b->len + extra <= b->cap)
            return;
    }
    size_t n = b->cap ? b->cap * 2 : 512; // frames here are ~100 bytes
    while (n < b->len + extra)
        n *= 2;
    b->p = realloc(b->p, n);
    b->cap = n;
}
static void bufAppend(Buf *b, const void *d, size_t n) {
    bufReserve(b, n);
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

// ---- SHA-1 and base64, for Sec-WebSocket-Accept only
static uint32_t rol(uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}
static void sha1(const uint8_t *msg, size_t len, uint8_t out[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t total = ((len + 8) / 64 + 1) * 64;
    uint8_t *m = calloc(total, 1);
    memcpy(m, msg, len);
    m[len] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        m[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t blk = 0; blk < total; blk += 64) {
        uint32_t w[80];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)m[blk + 4 * i] << 24 | (uint32_t)m[blk + 4 * i + 1] << 16 |
                   (uint32_t)m[blk + 4 * i + 2] << 8 | m[blk + 4 * i + 3];
        for (int i = 16; i < 80; i++)
            w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5A827999;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDC;
            } else {
                f = b ^ c ^ d;
                k = 0xCA62C1D6;
            }
            uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = rol(b, 30);
            b = a;
            a = t;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
    free(m);
    for (int i = 0; i < 20; i++)
        out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}
static size_t base64(const uint8_t *in, size_t n, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63];
        out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    return o;
}

// ---- output
static void markDirty(int fd) {
    Conn *c = g_conns[fd];
    if (c->dirty)
        return;
    c->dirty = 1;
    if (g_ndirty == g_dirtycap) {
        g_dirtycap = g_dirtycap ? g_dirtycap * 2 : 1024;
        g_dirty = realloc(g_dirty, sizeof(int) * (size_t)g_dirtycap);
    }
    g_dirty[g_ndirty++] = fd;
}
// One unmasked server text frame (opcode 1, or `op`) from up to three pieces.
static void sendFrame3(int fd, int op, const char *a, size_t an, const char *b, size_t bn,
                       const char *d, size_t dn) {
    Conn *c = g_conns[fd];
    if (!c || c->closing)
        return;
    size_t n = an + bn + dn;
    uint8_t hdr[4];
    size_t hn;
    hdr[0] = (uint8_t)(0x80 | op);
    if (n < 126) {
        hdr[1] = (uint8_t)n;
        hn = 2;
    } else {
        hdr[1] = 126;
        hdr[2] = (uint8_t)(n >> 8);
        hdr[3] = (uint8_t)n;
        hn = 4;
    }
    bufReserve(&c->out, hn + n);
    bufAppend(&c->out, hdr, hn);
    bufAppend(&c->out, a, an);
    if (bn)
        bufAppend(&c->out, b, bn);
    if (dn)
        bufAppend(&c->out, d, dn);
    markDirty(fd);
}
static void sendText(int fd, const char *s) {
    sendFrame3(fd, 1, s, strlen(s), 0, 0, 0, 0);
}

static void closeConn(int fd);
static void flushConn(int fd) {
    Conn *c = g_conns[fd];
    if (!c)
        return;
    c->dirty = 0;
    while (c->out.off < c->out.len) {
        ssize_t n = send(fd, c->out.p + c->out.off, c->out.len - c->out.off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out.off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
            epoll_ctl(g_epoll, EPOLL_CTL_MOD, fd, &ev);
            return;
        }
        closeConn(fd);
        return;
    }
    c->out.off = c->out.len = 0;
    if (c->closing)
        closeConn(fd);
}

// ---- protocol subset
static void unwait(Conn *c) {
    if (c->waitIdx < 0)
        return;
    int last = g_waiting[--g_nwait];
    g_waiting[c->waitIdx] = last;
    g_conns[last]->waitIdx = c->waitIdx;
    c->waitIdx = -1;
}
static void endPair(int fd, const char *reason) {
    Conn *c = g_conns[fd];
    int p = c->partner;
    c->partner = -1;
    if (p < 0 || !g_conns[p])
        return;
    g_conns[p]->partner = -1;
    g_conns[p]->state = ST_LOBBY;
    char msg[80];
    snprintf(msg, sizeof msg, "{\"reason\":\"%s\",\"type\":\"partner_left\"}", reason);
    sendText(p, msg);
}
static double haversineKm(double la1, double lo1, double la2, double lo2) {
    const double r = M_PI / 180;
    double dla = (la2 - la1) * r, dlo = (lo2 - lo1) * r;
    double h =
        sin(dla / 2) * sin(dla / 2) + cos(la1 * r) * cos(la2 * r) * sin(dlo / 2) * sin(dlo / 2);
    return 2 * 6371.0088 * asin(fmin(1, sqrt(h)));
}
static int bucketKm(double km) {
    static const int b[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        if (km <= b[i])
            return b[i];
    return 20000;
}
// Pairs with the first waiting client within both ranges (the load
// generator places each pair alone in its cell, so first = nearest there).
static void tryMatch(int fd) {
    Conn *c = g_conns[fd];
    for (int i = 0; i < g_nwait; i++) {
        int o = g_waiting[i];
        if (o == fd)
            continue;
        Conn *oc = g_conns[o];
        double km = haversineKm(c->lat, c->lon, oc->lat, oc->lon);
        if (km > c->range || km > oc->range)
            continue;
        unwait(c);
        unwait(oc);
        c->partner = o;
        oc->partner = fd;
        c->state = oc->state = ST_PAIRED;
        char msg[160];
        uint64_t pair = ++g_pairSeq * 0x9E3779B97F4A7C15ull;
        snprintf(msg, sizeof msg,
                 "{\"distance_km\":%d,\"pair\":\"%016llx\",\"partner\":\"guest%d\",\"type\":"
                 "\"matched\"}",
                 bucketKm(km), (unsigned long long)pair, o);
        sendText(fd, msg);
        snprintf(msg, sizeof msg,
                 "{\"distance_km\":%d,\"pair\":\"%016llx\",\"partner\":\"guest%d\",\"type\":"
                 "\"matched\"}",
                 bucketKm(km), (unsigned long long)pair, fd);
        sendText(o, msg);
        return;
    }
}
// The string value after `"key":"` in p[0..n), not unescaped: [*s, *s+*len).
static int findString(const char *p, size_t n, const char *key, const char **s, size_t *len) {
    const char *k = memmem(p, n, key, strlen(key));
    if (!k)
        return 0;
    const char *v = k + strlen(key), *end = p + n;
    const char *q = v;
    while (q < end && *q != '"') {
        if (*q == '\\')
            q++;
        q++;
    }
    if (q >= end)
        return 0;
    *s = v;
    *len = (size_t)(q - v);
    return 1;
}
static int findNumber(const char *p, size_t n, const char *key, double *out) {
    const char *k = memmem(p, n, key, strlen(key));
    if (!k)
        return 0;
    char tmp[64];
    size_t off = (size_t)(k - p) + strlen(key), m = n - off < 63 ? n - off : 63;
    memcpy(tmp, p + off, m);
    tmp[m] = 0;
    char *e;
    *out = strtod(tmp, &e);
    return e != tmp;
}
static void errorReply(int fd, const char *code, const char *ref) {
    char msg[128];
    snprintf(msg, sizeof msg,
             "{\"code\":\"%s\",\"message\":\"%s\",\"ref\":\"%s\",\"type\":\"error\"}", code, code,
             ref);
    sendText(fd, msg);
}
static void onText(int fd, const char *p, size_t n) {
    Conn *c = g_conns[fd];
    const char *type;
    size_t tn;
    // Keys come sorted, so "type" is the last key: search from the end.
    const char *tk = n > 40 ? p + n - 40 : p;
    if (!findString(tk, (size_t)(p + n - tk), "\"type\":\"", &type, &tn) &&
        !findString(p, n, "\"type\":\"", &type, &tn)) {
        errorReply(fd, "bad_request", "");
        return;
    }
    if (tn == 7 && memcmp(type, "message", 7) == 0) {
        if (c->state != ST_PAIRED) {
            errorReply(fd, "conflict", "message");
            return;
        }
        const char *text, *id;
        size_t textn, idn;
        if (!findString(p, n, "\"text\":\"", &text, &textn) || textn == 0) {
            errorReply(fd, "bad_request", "message");
            return;
        }
        char ts[40];
        int tsn = snprintf(ts, sizeof ts, "\",\"ts\":%llu,\"type\":\"message\"}",
                           (unsigned long long)g_nowMs);
        sendFrame3(c->partner, 1, "{\"text\":\"", 9, text, textn, ts, (size_t)tsn);
        if (findString(p, n, "\"id\":\"", &id, &idn))
            sendFrame3(fd, 1, "{\"id\":\"", 7, id, idn, "\",\"type\":\"delivered\"}", 21);
    } else if (tn == 6 && memcmp(type, "typing", 6) == 0) {
        if (c->state != ST_PAIRED) {
            errorReply(fd, "conflict", "typing");
            return;
        }
        sendText(c->partner, memmem(p, n, "true", 4) ? "{\"active\":true,\"type\":\"typing\"}"
                                                     : "{\"active\":false,\"type\":\"typing\"}");
    } else if (tn == 4 && memcmp(type, "join", 4) == 0) {
        if (c->state != ST_LOBBY) {
            errorReply(fd, "conflict", "join");
            return;
        }
        if (!findNumber(p, n, "\"lat\":", &c->lat) || !findNumber(p, n, "\"lon\":", &c->lon) ||
            !findNumber(p, n, "\"range_km\":", &c->range) || fabs(c->lat) > 90 ||
            fabs(c->lon) > 180 || !(c->range > 0) || c->range > 20015.1) {
            errorReply(fd, "bad_request", "join");
            return;
        }
        c->state = ST_WAITING;
        if (g_nwait == g_waitcap) {
            g_waitcap = g_waitcap ? g_waitcap * 2 : 1024;
            g_waiting = realloc(g_waiting, sizeof(int) * (size_t)g_waitcap);
        }
        c->waitIdx = g_nwait;
        g_waiting[g_nwait++] = fd;
        sendText(fd, "{\"type\":\"waiting\"}");
        tryMatch(fd);
    } else if (tn == 5 && memcmp(type, "leave", 5) == 0) {
        if (c->state == ST_WAITING)
            unwait(c);
        else if (c->state == ST_PAIRED)
            endPair(fd, "left");
        else {
            errorReply(fd, "conflict", "leave");
            return;
        }
        c->state = ST_LOBBY;
        sendText(fd, "{\"type\":\"left\"}");
    } else {
        errorReply(fd, "bad_request", "type");
    }
}

static int onHandshake(int fd) {
    Conn *c = g_conns[fd];
    const char *start = c->in.p + c->in.off;
    size_t n = c->in.len - c->in.off;
    const char *end = memmem(start, n, "\r\n\r\n", 4);
    if (!end)
        return n > 8192 ? -1 : 0;
    const char *k = memmem(start, (size_t)(end - start), "Sec-WebSocket-Key:", 18);
    if (!k)
        k = memmem(start, (size_t)(end - start), "sec-websocket-key:", 18);
    if (!k)
        return -1;
    k += 18;
    while (*k == ' ')
        k++;
    const char *ke = k;
    while (ke < end && *ke != '\r' && *ke != ' ')
        ke++;
    char src[128];
    size_t kn = (size_t)(ke - k);
    if (kn > 60)
        return -1;
    memcpy(src, k, kn);
    memcpy(src + kn, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
    uint8_t digest[20];
    sha1((const uint8_t *)src, kn + 36, digest);
    char accept[32];
    size_t an = base64(digest, 20, accept);
    char resp[256];
    int rn = snprintf(resp, sizeof resp,
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: %.*s\r\n\r\n",
                      (int)an, accept);
    bufAppend(&c->out, resp, (size_t)rn);
    markDirty(fd);
    c->in.off += (size_t)(end + 4 - start);
    c->state = ST_LOBBY;
    char welcome[200];
    snprintf(welcome, sizeof welcome,
             "{\"limits\":{\"max_message_bytes\":%d,\"max_text_chars\":2000},\"protocol\":1,"
             "\"server\":\"limit-relay\",\"session\":\"%024llx\",\"type\":\"welcome\"}",
             MAX_FRAME, (unsigned long long)(g_nextId++ * 0x9E3779B97F4A7C15ull));
    sendText(fd, welcome);
    return 1;
}

// Handles every complete frame in p[0..n); returns the bytes consumed, or
// -1 to close. Unmasks in place.
static long parseFrames(int fd, uint8_t *p, size_t n) {
    size_t pos = 0;
    while (n - pos >= 2) {
        uint8_t *f = p + pos;
        size_t avail = n - pos;
        int fin = f[0] & 0x80, op = f[0] & 0x0F, masked = f[1] & 0x80;
        uint64_t len = f[1] & 0x7F;
        size_t h = 2;
        if (len == 126) {
            if (avail < 4)
                break;
            len = (uint64_t)f[2] << 8 | f[3];
            h = 4;
        } else if (len == 127) {
            return -1; // larger than any frame the subset allows
        }
        if (!masked || !fin || len > MAX_FRAME)
            return -1;
        if (avail < h + 4 + len)
            break;
        uint8_t *mask = f + h, *pl = f + h + 4;
        for (uint64_t i = 0; i < len; i++)
            pl[i] ^= mask[i & 3];
        pos += h + 4 + (size_t)len;
        if (op == 1)
            onText(fd, (const char *)pl, (size_t)len);
        else if (op == 9)
            sendFrame3(fd, 10, (const char *)pl, (size_t)len, 0, 0, 0, 0);
        else if (op == 8) {
            sendFrame3(fd, 8, (const char *)pl, len >= 2 ? 2 : 0, 0, 0, 0, 0);
            g_conns[fd]->closing = 1;
            return (long)n; // nothing after a close counts
        }
        if (!g_conns[fd])
            return (long)n;
    }
    return (long)pos;
}

static void closeConn(int fd) {
    Conn *c = g_conns[fd];
    if (!c)
        return;
    if (c->state == ST_WAITING)
        unwait(c);
    else if (c->state == ST_PAIRED)
        endPair(fd, "disconnected");
    epoll_ctl(g_epoll, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    free(c->in.p);
    free(c->out.p);
    free(c);
    g_conns[fd] = NULL;
}

// Reads land in one shared buffer and are handled there; only a partial
// frame (or a handshake) is copied into the connection's own buffer, which
// is freed again once empty, so an idle connection holds no input buffer.
static uint8_t g_rbuf[65536];
static void dropInput(Conn *c) {
    free(c->in.p);
    memset(&c->in, 0, sizeof c->in);
}
static void onReadable(int fd) {
    for (;;) {
        Conn *c = g_conns[fd];
        if (!c || c->closing)
            return;
        ssize_t n = recv(fd, g_rbuf, sizeof g_rbuf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            closeConn(fd);
            return;
        }
        if (c->state == ST_HANDSHAKE || c->in.len > c->in.off) {
            bufAppend(&c->in, g_rbuf, (size_t)n);
            if (c->state == ST_HANDSHAKE) {
                int r = onHandshake(fd);
                if (r < 0) {
                    closeConn(fd);
                    return;
                }
                if (r == 0)
                    return;
            }
            long used = parseFrames(fd, (uint8_t *)c->in.p + c->in.off, c->in.len - c->in.off);
            if (used < 0) {
                closeConn(fd);
                return;
            }
            if (!g_conns[fd])
                return;
            c->in.off += (size_t)used;
            if (c->in.off == c->in.len)
                dropInput(c);
        } else {
            long used = parseFrames(fd, g_rbuf, (size_t)n);
            if (used < 0) {
                closeConn(fd);
                return;
            }
            if (!g_conns[fd])
                return;
            if (used < n)
                bufAppend(&c->in, g_rbuf + used, (size_t)(n - used));
        }
        if ((size_t)n < sizeof g_rbuf)
            return; // a short read drained the socket: skip the EAGAIN call
    }
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--listen"))
            host = argv[i + 1];
        else if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
    }
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) {
        perror("limit relay: listen");
        return 1;
    }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, ls, &ev);
    printf("whisperchat-server ready: chat ws://%s:%d/\n", host, ntohs(a.sin_port));
    fflush(stdout);
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(g_epoll, evs, 512, -1);
        if (n < 0 && errno == EINTR)
            continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);
        g_nowMs = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                for (;;) {
                    int cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0)
                        break;
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    if (cfd >= g_cap) {
                        int nc = g_cap ? g_cap : 1024;
                        while (nc <= cfd)
                            nc *= 2;
                        g_conns = realloc(g_conns, sizeof(Conn *) * (size_t)nc);
                        memset(g_conns + g_cap, 0, sizeof(Conn *) * (size_t)(nc - g_cap));
                        g_cap = nc;
                    }
                    Conn *c = calloc(1, sizeof(Conn));
                    c->fd = cfd;
                    c->partner = -1;
                    c->waitIdx = -1;
                    g_conns[cfd] = c;
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(g_epoll, EPOLL_CTL_ADD, cfd, &cev);
                }
                continue;
            }
            if (!g_conns[fd])
                continue;
            if (evs[i].events & EPOLLOUT) {
                struct epoll_event cev = {.events = EPOLLIN, .data.fd = fd};
                epoll_ctl(g_epoll, EPOLL_CTL_MOD, fd, &cev);
                markDirty(fd);
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                onReadable(fd);
        }
        // One send per connection per batch, whatever it was given.
        for (int i = 0; i < g_ndirty; i++)
            if (g_conns[g_dirty[i]] && g_conns[g_dirty[i]]->dirty)
                flushConn(g_dirty[i]);
        g_ndirty = 0;
    }
}
