// SPDX-License-Identifier: MIT
#include "websocketconnection.h"

#include "epolldispatcher.h"
#include "forwardedfor.h"

#include <QAbstractEventDispatcher>
#include <QCryptographicHash>
#include <QEvent>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QStringDecoder>
#include <QTimer>

#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace whisper {

Q_LOGGING_CATEGORY(lcWs, "whisper.server.websocket")

namespace {

constexpr quint8 kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9,
                 kPong = 0xA;
constexpr qsizetype kMaxHandshakeBytes = 8192;
constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr int kMaxReadsPerWakeup = 4; // fairness between busy connections
constexpr char kGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// One read buffer per thread: frames are parsed straight out of it and only
// an incomplete tail is copied into the connection.
char *readBuffer() {
    thread_local char buffer[kReadBufferBytes];
    return buffer;
}

void unmask(char *p, std::size_t n, const unsigned char *key) {
    std::size_t i = 0;
    std::uint64_t key8;
    unsigned char k[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
    std::memcpy(&key8, k, 8);
    for (; i + 8 <= n; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, p + i, 8);
        v ^= key8;
        std::memcpy(p + i, &v, 8);
    }
    for (; i < n; ++i)
        p[i] = char(p[i] ^ key[i & 3]);
}

QByteArrayView headerValue(QByteArrayView head, QByteArrayView name) {
    qsizetype pos = head.indexOf("\r\n") + 2;
    while (pos > 1 && pos < head.size()) {
        qsizetype end = head.indexOf("\r\n", pos);
        if (end < 0)
            end = head.size();
        const QByteArrayView line = head.sliced(pos, end - pos);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.sliced(colon + 1).trimmed();
        pos = end + 2;
    }
    return {};
}

qint64 monotonicMs() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

const char kTooLarge[] = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                         "Connection: close\r\nContent-Length: 0\r\n\r\n";

// RFC 6455 7.4: the codes a peer may send. 1004-1006 and 1015 are reserved
// (1005 and 1006 stand for "no code" and "no close frame", never sent);
// 1012-1014 are registered with IANA since; 3000-4999 belong to libraries,
// frameworks and applications.
bool validCloseCode(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

bool validUtf8(const char *data, std::size_t size) {
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    [[maybe_unused]] const QString decoded = utf8.decode(QByteArrayView(data, qsizetype(size)));
    return !utf8.hasError();
}

bool containsToken(QByteArrayView value, QByteArrayView token) {
    return QByteArray(value.data(), value.size()).toLower().contains(token);
}

} // namespace

// Collects the connections that queued output during one event-loop
// iteration and flushes them together at its end: from the epoll
// dispatcher's end-of-iteration hook, or (under Qt's own dispatcher) from
// one posted call, which costs about a tenth of a relayed message more. One
// per thread (connections live on the thread that accepted them), hence
// thread_local.
class WriteFlusher : public QObject {
public:
    static WriteFlusher &forThisThread() {
        thread_local WriteFlusher flusher;
        return flusher;
    }
    void add(WebSocketConnection *c) {
        m_pending.push_back(c);
        if (!m_scheduled) {
            m_scheduled = true;
            if (auto *epoll =
                    qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()))
                epoll->runAtEndOfIteration(
                    [](void *flusher) { static_cast<WriteFlusher *>(flusher)->flushAll(); }, this);
            else
                QMetaObject::invokeMethod(this, &WriteFlusher::flushAll, Qt::QueuedConnection);
        }
    }
    void remove(WebSocketConnection *c) {
        for (auto &p : m_pending)
            if (p == c)
                p = nullptr;
    }

private:
    void flushAll() {
        m_scheduled = false;
        std::vector<WebSocketConnection *> batch;
        batch.swap(m_pending);
        for (WebSocketConnection *c : batch)
            if (c)
                c->flushQueued();
        if (m_pending.empty() && m_pending.capacity() < batch.capacity())
            m_pending.swap(batch), m_pending.clear();
    }

    std::vector<WebSocketConnection *> m_pending;
    bool m_scheduled = false;
};

// Calls onReadable() straight from the dispatcher's event: QSocketNotifier
// would emit `activated` twice (the descriptor form and the old int form)
// per wake-up, a good part of a relayed message's cost.
class WebSocketConnection::ReadNotifier final : public QSocketNotifier {
public:
    ReadNotifier(int fd, WebSocketConnection *connection)
        : QSocketNotifier(qintptr(fd), QSocketNotifier::Read, connection)
        , m_connection(connection) {}

protected:
    bool event(QEvent *e) override {
        if (e->type() != QEvent::SockAct)
            return QSocketNotifier::event(e);
        // May delete this notifier (the connection finishing): nothing after.
        m_connection->onReadable();
        return true;
    }

private:
    WebSocketConnection *m_connection;
};

WebSocketConnection::WebSocketConnection(int fd, const QHostAddress &peer, const Limits &limits,
                                         QObject *parent, std::unique_ptr<PeerSlot> slot)
    : Connection(parent)
    , m_fd(fd)
    , m_limits(limits)
    , m_peer(peer)
    , m_pings(limits.pingRate)
    , m_slot(std::move(slot)) {
    m_readNotifier = new ReadNotifier(fd, this);
}

WebSocketConnection::~WebSocketConnection() {
    if (m_flushQueued)
        WriteFlusher::forThisThread().remove(this);
    if (m_fd >= 0)
        ::close(m_fd);
}

QUrl WebSocketConnection::requestUrl() const {
    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setPath(QUrl(QString::fromUtf8(m_path)).path());
    return url;
}

// ---- reading ------------------------------------------------------------------

void WebSocketConnection::onReadable() {
    char *buffer = readBuffer();
    for (int round = 0; round < kMaxReadsPerWakeup && m_fd >= 0; ++round) {
        const ssize_t n = ::recv(m_fd, buffer, kReadBufferBytes, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
            finish(); // peer gone (or reset)
            return;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (m_state == State::Handshake) {
            m_in.append(buffer, n);
            if (!handshake())
                return;
            if (m_in.isEmpty())
                continue;
            const std::size_t used = consumeFrames(m_in.data(), std::size_t(m_in.size()));
            m_in.remove(0, qsizetype(used));
        } else if (m_in.isEmpty()) {
            const std::size_t used = consumeFrames(buffer, std::size_t(n));
            if (used < std::size_t(n) && m_fd >= 0)
                m_in.append(buffer + used, qsizetype(std::size_t(n) - used));
        } else {
            m_in.append(buffer, n);
            const std::size_t used = consumeFrames(m_in.data(), std::size_t(m_in.size()));
            m_in.remove(0, qsizetype(used));
            if (m_in.isEmpty())
                m_in = QByteArray(); // give the capacity back: most connections idle
        }
        if (std::size_t(n) < kReadBufferBytes)
            return;
    }
}

// True when the upgrade is done (m_in then holds any bytes that followed it).
bool WebSocketConnection::handshake() {
    const qsizetype end = m_in.indexOf("\r\n\r\n");
    // The limit is on the whole request head, however it arrived: one read
    // can bring a long head and its end at once.
    if ((end < 0 && m_in.size() > kMaxHandshakeBytes) || end + 4 > kMaxHandshakeBytes) {
        rejectHandshake(kTooLarge);
        return false;
    }
    if (end < 0)
        return false;
    const QByteArrayView head(m_in.constData(), end);
    if (m_limits.http && !HttpResponder::isUpgrade(head)) {
        answerHttp(head);
        return false;
    }
    const qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArrayView requestLine = head.first(lineEnd < 0 ? head.size() : lineEnd);
    const QList<QByteArray> parts = QByteArray(requestLine.data(), requestLine.size()).split(' ');
    if (parts.size() != 3 || parts[0] != "GET" || !parts[2].startsWith("HTTP/1.1")) {
        rejectHandshake(
            "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return false;
    }
    const QByteArrayView key = headerValue(head, "sec-websocket-key");
    if (key.isEmpty() || !containsToken(headerValue(head, "upgrade"), "websocket") ||
        !containsToken(headerValue(head, "connection"), "upgrade")) {
        rejectHandshake(
            "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return false;
    }
    if (headerValue(head, "sec-websocket-version") != "13") {
        rejectHandshake("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                        "Connection: close\r\nContent-Length: 0\r\n\r\n");
        return false;
    }
    m_path = parts[1];
    m_origin = headerValue(head, "origin").toByteArray();
    if (!m_limits.trustedProxies.isEmpty()) {
        if (m_limits.refuseProxiedUpgrades &&
            m_limits.refuseProxiedUpgrades->load(std::memory_order_relaxed) &&
            inSubnets(m_peer, m_limits.trustedProxies)) {
            // A load balancer retries another node on 503 (nginx:
            // proxy_next_upstream http_503); a direct client still gets the
            // 1008 "server draining" close after its upgrade.
            rejectHandshake("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                            "Connection: close\r\nContent-Length: 0\r\n\r\n");
            return false;
        }
        m_peer =
            forwardedClient(m_peer, headerValue(head, "x-forwarded-for"), m_limits.trustedProxies);
    }
    QByteArray accept = key.toByteArray();
    accept.append(kGuid);
    accept = QCryptographicHash::hash(accept, QCryptographicHash::Sha1).toBase64();
    QByteArray response;
    response.reserve(160);
    response.append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Accept: ");
    response.append(accept);
    response.append("\r\n\r\n");
    m_in.remove(0, end + 4);
    if (m_in.isEmpty())
        m_in = QByteArray();
    m_state = State::Open;
    if (m_slot)
        m_slot->upgraded();
    writeRaw(response.constData(), std::size_t(response.size()), nullptr, 0);
    if (m_state != State::Open)
        return false;
    Q_EMIT handshakeComplete();
    return m_state == State::Open;
}

// Sends the whole answer, however many writes it takes (onWritable closes
// the connection once it is out); the handshake timeout still bounds a
// client that does not read it.
void WebSocketConnection::answerHttp(QByteArrayView head) {
    m_state = State::Http;
    m_readNotifier->setEnabled(false);
    m_out = m_limits.http->respond(head);
    m_outPos = 0;
    m_in = QByteArray();
    onWritable();
}

void WebSocketConnection::rejectHandshake(const char *response) {
    [[maybe_unused]] const auto n = ::send(m_fd, response, std::strlen(response), MSG_NOSIGNAL);
    m_state = State::Closed;
    delete m_readNotifier;
    m_readNotifier = nullptr;
    ::close(m_fd);
    m_fd = -1;
    m_slot.reset();
    Q_EMIT handshakeFailed();
}

std::size_t WebSocketConnection::consumeFrames(char *data, std::size_t size) {
    std::size_t pos = 0;
    while (m_state == State::Open || m_state == State::Closing) {
        const std::size_t left = size - pos;
        if (left < 2)
            break;
        const auto b0 = static_cast<unsigned char>(data[pos]);
        const auto b1 = static_cast<unsigned char>(data[pos + 1]);
        const bool fin = b0 & 0x80;
        const quint8 opcode = b0 & 0x0F;
        if ((b0 & 0x70) || !(b1 & 0x80)) { // reserved bits, or an unmasked client frame
            failConnection(QWebSocketProtocol::CloseCodeProtocolError, "protocol error");
            return size;
        }
        std::size_t header = 2;
        std::uint64_t length = b1 & 0x7F;
        if (length == 126) {
            if (left < 4)
                break;
            length = (std::uint64_t(static_cast<unsigned char>(data[pos + 2])) << 8) |
                     static_cast<unsigned char>(data[pos + 3]);
            header = 4;
        } else if (length == 127) {
            if (left < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | static_cast<unsigned char>(data[pos + 2 + std::size_t(i)]);
            header = 10;
            // RFC 6455 5.2: the most significant bit of a 64-bit length
            // must be 0; such a frame is malformed rather than too large.
            if (length >> 63) {
                failConnection(QWebSocketProtocol::CloseCodeProtocolError, "invalid length");
                return size;
            }
        }
        const bool control = opcode & 0x8;
        if (control && (length > 125 || !fin)) {
            failConnection(QWebSocketProtocol::CloseCodeProtocolError, "bad control frame");
            return size;
        }
        // Too large is known from the header: close before buffering it.
        // Compare `length` alone first: a 64-bit length near 2^64 would wrap
        // the sum below around to a small number.
        if (!control && (length > std::uint64_t(m_limits.maxMessageBytes) ||
                         length + std::uint64_t(m_fragments.size()) >
                             std::uint64_t(m_limits.maxMessageBytes))) {
            failConnection(QWebSocketProtocol::CloseCodeTooMuchData, "message too large");
            return size;
        }
        header += 4;
        if (left < header + length)
            break;
        char *payload = data + pos + header;
        unmask(payload, std::size_t(length),
               reinterpret_cast<const unsigned char *>(data + pos + header - 4));
        pos += header + std::size_t(length);

        switch (opcode) {
        case kText:
        case kBinary:
            if (m_fragmentOpcode != 0) {
                failConnection(QWebSocketProtocol::CloseCodeProtocolError,
                               "new message inside a fragmented one");
                return size;
            }
            if (fin) {
                // Unmasked in place: handed on where it lies, not copied.
                onMessage(opcode, QByteArrayView(payload, qsizetype(length)));
            } else {
                m_fragmentOpcode = opcode;
                m_fragments = QByteArray(payload, qsizetype(length));
            }
            break;
        case kContinuation:
            if (m_fragmentOpcode == 0) {
                failConnection(QWebSocketProtocol::CloseCodeProtocolError,
                               "continuation without a message");
                return size;
            }
            m_fragments.append(payload, qsizetype(length));
            if (fin) {
                const quint8 op = m_fragmentOpcode;
                m_fragmentOpcode = 0;
                const QByteArray whole = std::exchange(m_fragments, QByteArray());
                onMessage(op, whole);
            }
            break;
        case kPing:
            if (m_state != State::Open)
                break;
            // Each pong is output the peer makes the server hold.
            if (!admitPing()) {
                failConnection(QWebSocketProtocol::CloseCodePolicyViolated, "too many pings");
                return size;
            }
            writeFrame(kPong, payload, std::size_t(length));
            break;
        case kPong:
            Q_EMIT pong();
            break;
        case kClose: {
            const int code = length >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                               static_cast<unsigned char>(payload[1])
                                         : int(QWebSocketProtocol::CloseCodeMissingStatusCode);
            // RFC 6455 5.5.1 and 7.4: a body is a code and a UTF-8 reason;
            // a one-byte body or a reserved code is a protocol error, a
            // reason that is not UTF-8 an invalid payload (7.1.7: fail the
            // connection with that code instead of echoing).
            if (m_state == State::Open && (length == 1 || (length >= 2 && !validCloseCode(code)))) {
                failConnection(QWebSocketProtocol::CloseCodeProtocolError, "invalid close frame");
                return size;
            }
            if (m_state == State::Open && length > 2 && !validUtf8(payload + 2, length - 2)) {
                failConnection(QWebSocketProtocol::CloseCodeWrongDatatype,
                               "close reason is not UTF-8");
                return size;
            }
            m_closeCode = code;
            if (m_state == State::Open) {
                // RFC 6455 5.5.1: answer with a close frame echoing the code,
                // sent now, before the descriptor closes (a queued frame
                // would go with it).
                writeFrame(kClose, payload, length >= 2 ? 2 : 0);
                m_state = State::Closing;
                onWritable();
            }
            finish();
            return size;
        }
        default:
            failConnection(QWebSocketProtocol::CloseCodeProtocolError, "unknown opcode");
            return size;
        }
    }
    return pos;
}

void WebSocketConnection::onMessage(quint8 opcode, QByteArrayView payload) {
    if (m_state != State::Open)
        return;
    if (opcode == kText)
        receiveText(payload);
    else
        receiveBinary(payload);
}

void WebSocketConnection::failConnection(QWebSocketProtocol::CloseCode code, const char *reason) {
    qCDebug(lcWs) << "closing connection:" << reason;
    close(code, QString::fromLatin1(reason));
}

// ---- writing ------------------------------------------------------------------

void WebSocketConnection::sendText(QByteArrayView utf8) {
    if (m_state == State::Open)
        writeFrame(kText, utf8.constData(), std::size_t(utf8.size()));
}

bool WebSocketConnection::admitPing() {
    return m_pings.tryPour(monotonicMs()) == 0;
}

void WebSocketConnection::ping() {
    if (m_state == State::Open)
        writeFrame(kPing, nullptr, 0);
}

void WebSocketConnection::writeFrame(quint8 opcode, const char *payload, std::size_t size) {
    char header[10];
    std::size_t h = 0;
    header[h++] = char(0x80 | opcode);
    if (size < 126) {
        header[h++] = char(size);
    } else if (size <= 0xFFFF) {
        header[h++] = char(126);
        header[h++] = char(size >> 8);
        header[h++] = char(size);
    } else {
        header[h++] = char(127);
        for (int i = 7; i >= 0; --i)
            header[h++] = char(std::uint64_t(size) >> (8 * i));
    }
    writeRaw(header, h, payload, size);
}

void WebSocketConnection::writeRaw(const char *a, std::size_t na, const char *b, std::size_t nb) {
    if (m_fd < 0 || m_dropped)
        return;
    if (m_out.isEmpty() && !m_writeWanted) {
        // Queue for the end of this iteration; more frames may follow.
        if (!holdOutput(a, na, b, nb))
            return;
        if (!m_flushQueued) {
            m_flushQueued = true;
            WriteFlusher::forThisThread().add(this);
        }
        return;
    }
    if (m_flushQueued) {
        holdOutput(a, na, b, nb);
        return;
    }
    std::size_t written = 0;
    if (m_out.isEmpty()) {
        // Header and payload leave in one system call, without joining them.
        iovec iov[2] = {{const_cast<char *>(a), na}, {const_cast<char *>(b), nb}};
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = nb ? 2 : 1;
        ssize_t n;
        do {
            n = ::sendmsg(m_fd, &msg, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            // The reader notices the broken socket and ends the connection
            // from the event loop, never from inside a caller's send().
            ::shutdown(m_fd, SHUT_RDWR);
            return;
        }
        written = n > 0 ? std::size_t(n) : 0;
        if (written == na + nb)
            return;
    }
    const std::size_t fromA = std::min(written, na);
    const std::size_t fromB = written > na ? written - na : 0;
    if (!holdOutput(a + fromA, na - fromA, b ? b + fromB : nullptr, nb - fromB))
        return;
    setWriteNotification(true);
}

bool WebSocketConnection::holdOutput(const char *a, std::size_t na, const char *b, std::size_t nb) {
    const qsizetype n = qsizetype(na + nb);
    const qsizetype budget = qsizetype(m_limits.maxOutputBytes);
    // Bytes already sent leave the front of the buffer once they are half of
    // it (amortised: each byte moves at most once more), or when they are
    // in the way of the budget.
    if (m_outPos > 0 && (m_outPos * 2 >= m_out.size() || m_out.size() + n > budget)) {
        const qsizetype unsent = m_out.size() - m_outPos;
        std::memmove(m_out.data(), m_out.constData() + m_outPos, std::size_t(unsent));
        m_out.resize(unsent);
        m_outPos = 0;
    }
    if (m_out.size() + n > budget) {
        dropSlowPeer();
        return false;
    }
    // Grow within the budget rather than by QByteArray's doubling past it.
    if (m_out.size() + n > m_out.capacity())
        m_out.reserve(std::min(budget, std::max(m_out.capacity() * 2, m_out.size() + n + 64)));
    // Copied straight in: QByteArray::append costs more than the copy for
    // the few bytes of a frame header.
    const qsizetype at = m_out.size();
    m_out.resize(at + n);
    char *out = m_out.data() + at;
    if (na)
        std::memcpy(out, a, na);
    if (nb)
        std::memcpy(out + na, b, nb);
    return true;
}

// A peer that leaves more than the budget unread cannot be sent a close frame
// either (it would queue behind what it does not read): it is dropped, and
// the server records 1008.
void WebSocketConnection::dropSlowPeer() {
    qCDebug(lcWs) << "peer does not read its output; dropping it";
    m_dropped = true;
    m_closeCode = QWebSocketProtocol::CloseCodePolicyViolated;
    if (m_state == State::Open)
        m_state = State::Closing;
    m_out = QByteArray();
    m_outPos = 0;
    setWriteNotification(false);
    // The reader sees the end and finishes the connection from the event
    // loop, never from inside a caller's send().
    ::shutdown(m_fd, SHUT_RDWR);
}

void WebSocketConnection::flushQueued() {
    m_flushQueued = false;
    onWritable();
}

void WebSocketConnection::onWritable() {
    while (m_fd >= 0 && !m_dropped && m_outPos < m_out.size()) {
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outPos,
                                 std::size_t(m_out.size() - m_outPos), MSG_NOSIGNAL);
        if (n > 0) {
            m_outPos += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            setWriteNotification(true); // the kernel buffer is full
            return;
        } else {
            ::shutdown(m_fd, SHUT_RDWR);
            break;
        }
    }
    if (m_state == State::Http) {
        // Not RDWR: the answer still in the kernel's buffer must get out.
        // Whatever the client sent after its request head is read away
        // first: closing with unread input would reset the connection and
        // could destroy the answer before the client reads it.
        char sink[4096];
        for (int i = 0; i < 16 && ::recv(m_fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
        }
        ::shutdown(m_fd, SHUT_WR);
        finish();
        return;
    }
    // A busy connection keeps a small buffer instead of allocating per frame.
    if (m_out.capacity() > 1024)
        m_out = QByteArray();
    else
        m_out.resize(0);
    m_outPos = 0;
    setWriteNotification(false);
}

void WebSocketConnection::setWriteNotification(bool enabled) {
    if (enabled == m_writeWanted || m_fd < 0)
        return;
    m_writeWanted = enabled;
    if (!m_writeNotifier) {
        m_writeNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Write, this);
        connect(m_writeNotifier, &QSocketNotifier::activated, this,
                &WebSocketConnection::onWritable);
    }
    m_writeNotifier->setEnabled(enabled);
}

// ---- closing ------------------------------------------------------------------

void WebSocketConnection::close(QWebSocketProtocol::CloseCode code, const QString &reason) {
    if (m_state != State::Open)
        return;
    QByteArray payload;
    payload.append(char(int(code) >> 8)).append(char(int(code) & 0xFF));
    payload.append(reason.toUtf8().left(123));
    writeFrame(kClose, payload.constData(), std::size_t(payload.size()));
    m_state = State::Closing;
    m_closeCode = int(code);
    // The peer answers with its close frame; one that does not is dropped.
    QTimer::singleShot(m_limits.closeTimeoutMs, this, [this] {
        if (m_state == State::Closing)
            finish();
    });
}

void WebSocketConnection::setReadingPaused(bool paused) {
    if (m_readNotifier && m_state != State::Closed)
        m_readNotifier->setEnabled(!paused);
}

void WebSocketConnection::abort() {
    finish();
}

void WebSocketConnection::finish() {
    if (m_state == State::Closed)
        return;
    const bool wasUpgraded = m_state != State::Handshake && m_state != State::Http;
    m_state = State::Closed;
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    // m_in and m_fragments may be under the frame parser right now (a handler
    // aborting); they go with the object.
    m_out = QByteArray();
    m_outPos = 0;
    m_slot.reset();
    if (m_flushQueued) {
        m_flushQueued = false;
        WriteFlusher::forThisThread().remove(this);
    }
    // Queued: callers (a sweep over all sessions, a session's own handler)
    // must not see the session vanish in the middle of what they do.
    QMetaObject::invokeMethod(
        this,
        [this, wasUpgraded] {
            if (wasUpgraded)
                Q_EMIT disconnected();
            else
                Q_EMIT handshakeFailed();
        },
        Qt::QueuedConnection);
}

} // namespace whisper
