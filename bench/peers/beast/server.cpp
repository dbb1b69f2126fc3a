// SPDX-License-Identifier: MIT
// Comparison peer for bench/relay: C++ with Boost.Beast, single-threaded on
// one io_context, the way Beast's own async examples are written (one
// session object per connection, async_read in a loop, a queue of outgoing
// frames written one async_write at a time). The same protocol v1 subset as
// bench/peers/node-ws. Boost 1.74 (Debian 12) has no Boost.JSON, so a small
// reader for flat JSON objects (full string escapes, numbers, booleans)
// stands in for one; replies are written with escaping, keys in the order
// the C++ codec writes them.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBytes = 16 * 1024;
constexpr std::size_t kMaxText = 2000;

// A flat JSON object: string, number and boolean values by key.
struct Flat {
    std::map<std::string, std::string> strings;
    std::map<std::string, double> numbers;
    std::map<std::string, bool> bools;
};

class Reader {
public:
    explicit Reader(std::string_view s)
        : m_s(s) {}
    bool object(Flat &out) {
        ws();
        if (!eat('{'))
            return false;
        ws();
        if (eat('}'))
            return true;
        for (;;) {
            std::string key;
            ws();
            if (!string(key))
                return false;
            ws();
            if (!eat(':'))
                return false;
            ws();
            if (peek() == '"') {
                std::string v;
                if (!string(v))
                    return false;
                out.strings[key] = std::move(v);
            } else if (m_s.substr(m_i, 4) == "true") {
                m_i += 4;
                out.bools[key] = true;
            } else if (m_s.substr(m_i, 5) == "false") {
                m_i += 5;
                out.bools[key] = false;
            } else if (m_s.substr(m_i, 4) == "null") {
                m_i += 4;
            } else if (peek() == '{' || peek() == '[') {
                return false; // not in the subset
            } else {
                const std::string num(m_s.substr(m_i, std::min<std::size_t>(64, m_s.size() - m_i)));
                char *end = nullptr;
                const double v = std::strtod(num.c_str(), &end);
                if (end == num.c_str())
                    return false;
                m_i += std::size_t(end - num.c_str());
                out.numbers[key] = v;
            }
            ws();
            if (eat('}'))
                break;
            if (!eat(','))
                return false;
        }
        ws();
        return m_i == m_s.size();
    }

private:
    char peek() const { return m_i < m_s.size() ? m_s[m_i] : '\0'; }
    bool eat(char c) {
        if (peek() != c)
            return false;
        ++m_i;
        return true;
    }
    void ws() {
        while (m_i < m_s.size() &&
               (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
            ++m_i;
    }
    static void utf8(std::string &o, unsigned cp) {
        if (cp < 0x80) {
            o += char(cp);
        } else if (cp < 0x800) {
            o += char(0xC0 | cp >> 6);
            o += char(0x80 | (cp & 63));
        } else if (cp < 0x10000) {
            o += char(0xE0 | cp >> 12);
            o += char(0x80 | (cp >> 6 & 63));
            o += char(0x80 | (cp & 63));
        } else {
            o += char(0xF0 | cp >> 18);
            o += char(0x80 | (cp >> 12 & 63));
            o += char(0x80 | (cp >> 6 & 63));
            o += char(0x80 | (cp & 63));
        }
    }
    bool hex4(unsigned &v) {
        if (m_i + 4 > m_s.size())
            return false;
        v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = m_s[m_i++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= unsigned(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }
    bool string(std::string &o) {
        if (!eat('"'))
            return false;
        while (m_i < m_s.size()) {
            const char c = m_s[m_i++];
            if (c == '"')
                return true;
            if (c != '\\') {
                o += c;
                continue;
            }
            if (m_i >= m_s.size())
                return false;
            const char e = m_s[m_i++];
            switch (e) {
            case '"':
                o += '"';
                break;
            case '\\':
                o += '\\';
                break;
            case '/':
                o += '/';
                break;
            case 'b':
                o += '\b';
                break;
            case 'f':
                o += '\f';
                break;
            case 'n':
                o += '\n';
                break;
            case 'r':
                o += '\r';
                break;
            case 't':
                o += '\t';
                break;
            case 'u': {
                unsigned cp;
                if (!hex4(cp))
                    return false;
                if (cp >= 0xD800 && cp < 0xDC00 && m_s.substr(m_i, 2) == "\\u") {
                    m_i += 2;
                    unsigned lo;
                    if (!hex4(lo))
                        return false;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                utf8(o, cp);
                break;
            }
            default:
                return false;
            }
        }
        return false;
    }
    std::string_view m_s;
    std::size_t m_i = 0;
};

void appendEscaped(std::string &o, std::string_view s) {
    o += '"';
    for (const char c : s) {
        switch (c) {
        case '"':
            o += "\\\"";
            break;
        case '\\':
            o += "\\\\";
            break;
        case '\n':
            o += "\\n";
            break;
        case '\r':
            o += "\\r";
            break;
        case '\t':
            o += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char b[8];
                std::snprintf(b, sizeof b, "\\u%04x", c);
                o += b;
            } else {
                o += c;
            }
        }
    }
    o += '"';
}

std::mt19937_64 g_rng{std::random_device{}()};
std::string randomHex(int bytes) {
    std::string s;
    char b[4];
    for (int i = 0; i < bytes; ++i) {
        std::snprintf(b, sizeof b, "%02x", unsigned(g_rng() & 0xFF));
        s += b;
    }
    return s;
}

class Session;
std::list<std::shared_ptr<Session>> g_waiting; // in join order
int g_nextId = 1;

double bucketKm(double km) {
    for (double b : {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000})
        if (km <= b)
            return b;
    return 20000;
}

class Session : public std::enable_shared_from_this<Session> {
public:
    enum class State { Lobby, Waiting, Paired, Closed };
    explicit Session(tcp::socket socket)
        : m_ws(std::move(socket))
        , m_id(g_nextId++) {}

    void start() {
        m_ws.read_message_max(kMaxBytes);
        m_ws.text(true);
        m_ws.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->send("{\"limits\":{\"max_message_bytes\":16384,\"max_text_chars\":2000},"
                       "\"protocol\":1,\"server\":\"beast-peer\",\"session\":\"" +
                       randomHex(12) + "\",\"type\":\"welcome\"}");
            self->read();
        });
    }

    void send(std::string frame) {
        if (m_state == State::Closed)
            return;
        m_out.push_back(std::move(frame));
        if (m_out.size() == 1)
            write();
    }

private:
    void write() {
        m_ws.async_write(asio::buffer(m_out.front()),
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec)
                                 return self->closed();
                             self->m_out.pop_front();
                             if (!self->m_out.empty())
                                 self->write();
                         });
    }
    void read() {
        m_ws.async_read(m_in, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return self->closed();
            const auto data = self->m_in.data();
            self->onMessage(std::string_view(static_cast<const char *>(data.data()), data.size()));
            self->m_in.consume(self->m_in.size());
            self->read();
        });
    }
    void error(const char *code, const char *message, const char *ref) {
        std::string o = "{\"code\":\"";
        o += code;
        o += "\",\"message\":\"";
        o += message;
        o += "\",";
        if (*ref) {
            o += "\"ref\":";
            appendEscaped(o, ref);
            o += ',';
        }
        o += "\"type\":\"error\"}";
        send(std::move(o));
    }
    static double haversineKm(const Session &a, const Session &b) {
        const double r = M_PI / 180;
        const double dLat = (b.m_lat - a.m_lat) * r, dLon = (b.m_lon - a.m_lon) * r;
        const double h = std::pow(std::sin(dLat / 2), 2) + std::cos(a.m_lat * r) *
                                                               std::cos(b.m_lat * r) *
                                                               std::pow(std::sin(dLon / 2), 2);
        return 2 * 6371.0088 * std::asin(std::min(1.0, std::sqrt(h)));
    }
    void tryMatch() {
        std::shared_ptr<Session> best;
        double bestKm = INFINITY;
        for (const auto &o : g_waiting) {
            if (o.get() == this)
                continue;
            const double km = haversineKm(*this, *o);
            if (km <= m_range && km <= o->m_range && km < bestKm) {
                best = o;
                bestKm = km;
            }
        }
        if (!best)
            return;
        g_waiting.remove(shared_from_this());
        g_waiting.remove(best);
        m_partner = best;
        best->m_partner = shared_from_this();
        m_state = best->m_state = State::Paired;
        const std::string pair = randomHex(8);
        char d[32];
        std::snprintf(d, sizeof d, "%g", bucketKm(bestKm));
        send(std::string("{\"distance_km\":") + d + ",\"pair\":\"" + pair +
             "\",\"partner\":\"guest" + std::to_string(best->m_id) + "\",\"type\":\"matched\"}");
        best->send(std::string("{\"distance_km\":") + d + ",\"pair\":\"" + pair +
                   "\",\"partner\":\"guest" + std::to_string(m_id) + "\",\"type\":\"matched\"}");
    }
    void endPair(const char *reason) {
        auto p = m_partner;
        m_partner.reset();
        if (!p)
            return;
        p->m_partner.reset();
        p->m_state = State::Lobby;
        p->send(std::string("{\"reason\":\"") + reason + "\",\"type\":\"partner_left\"}");
    }
    void onMessage(std::string_view data) {
        Flat m;
        if (!Reader(data).object(m))
            return error("bad_request", "invalid JSON", "");
        const auto type = m.strings.find("type");
        if (type == m.strings.end())
            return error("bad_request", "expected an object with a type", "");
        const std::string &t = type->second;
        if (t == "message") {
            if (m_state != State::Paired)
                return error("conflict", "not paired", "message");
            const auto text = m.strings.find("text");
            if (text == m.strings.end() || text->second.empty() ||
                text->second.size() > kMaxText * 4)
                return error("bad_request", "bad text", "message");
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
            std::string o = "{\"text\":";
            appendEscaped(o, text->second);
            o += ",\"ts\":" + std::to_string(ms) + ",\"type\":\"message\"}";
            m_partner->send(std::move(o));
            const auto id = m.strings.find("id");
            if (id != m.strings.end()) {
                std::string a = "{\"id\":";
                appendEscaped(a, id->second);
                a += ",\"type\":\"delivered\"}";
                send(std::move(a));
            }
        } else if (t == "typing") {
            if (m_state != State::Paired)
                return error("conflict", "not paired", "typing");
            m_partner->send(m.bools["active"] ? "{\"active\":true,\"type\":\"typing\"}"
                                              : "{\"active\":false,\"type\":\"typing\"}");
        } else if (t == "join") {
            if (m_state != State::Lobby)
                return error("conflict", "already waiting or paired", "join");
            if (!m.numbers.count("lat") || !m.numbers.count("lon") || !m.numbers.count("range_km"))
                return error("bad_request", "bad join", "join");
            m_lat = m.numbers["lat"];
            m_lon = m.numbers["lon"];
            m_range = m.numbers["range_km"];
            if (std::fabs(m_lat) > 90 || std::fabs(m_lon) > 180 || !(m_range > 0) ||
                m_range > 20015.1)
                return error("bad_request", "bad join", "join");
            m_state = State::Waiting;
            g_waiting.push_back(shared_from_this());
            send("{\"type\":\"waiting\"}");
            tryMatch();
        } else if (t == "leave") {
            if (m_state == State::Waiting)
                g_waiting.remove(shared_from_this());
            else if (m_state == State::Paired)
                endPair("left");
            else
                return error("conflict", "neither waiting nor paired", "leave");
            m_state = State::Lobby;
            send("{\"type\":\"left\"}");
        } else {
            error("bad_request", "unknown type", t.c_str());
        }
    }
    void closed() {
        if (m_state == State::Closed)
            return;
        if (m_state == State::Waiting)
            g_waiting.remove(shared_from_this());
        else if (m_state == State::Paired)
            endPair("disconnected");
        m_state = State::Closed;
        m_out.clear();
    }

    websocket::stream<beast::tcp_stream> m_ws;
    beast::flat_buffer m_in;
    std::deque<std::string> m_out;
    int m_id;
    State m_state = State::Lobby;
    std::shared_ptr<Session> m_partner;
    double m_lat = 0, m_lon = 0, m_range = 0;
};

void accept(tcp::acceptor &acceptor) {
    acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
        if (!ec) {
            socket.set_option(tcp::no_delay(true));
            std::make_shared<Session>(std::move(socket))->start();
        }
        accept(acceptor);
    });
}

} // namespace

int main(int argc, char **argv) {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--listen")
            host = argv[i + 1];
        else if (std::string(argv[i]) == "--port")
            port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
    }
    asio::io_context ioc{1};
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint ep(asio::ip::make_address(host), port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(4096);
    std::printf("whisperchat-server ready: chat ws://%s:%u/\n", host.c_str(),
                unsigned(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&ioc](beast::error_code, int) { ioc.stop(); });
    accept(acceptor);
    ioc.run();
}
