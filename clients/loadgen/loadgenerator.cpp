// SPDX-License-Identifier: MIT
#include "loadgenerator.h"

#include "processstats.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numbers>
#include <random>
#include <tuple>
#include <unordered_set>
#include <utility>

namespace whisper::loadgen {

using namespace protocol;

namespace {

constexpr std::uint64_t kRatedInflightCap = 256;
constexpr std::size_t kReadChunk = 64 * 1024;

std::string toStd(const QByteArray &bytes) {
    return std::string(bytes.constData(), std::size_t(bytes.size()));
}

// Stand-ins the codec encodes verbatim, to find where the variable parts of
// a frame go.
constexpr std::string_view kTextMark = "@TEXT@";
constexpr std::string_view kIdMark = "@ID@";

// Splits `s` around `mark`: the part before it, and the part after it.
std::pair<std::string, std::string> splitAt(const std::string &s, std::string_view mark) {
    const std::size_t at = s.find(mark);
    if (at == std::string::npos) {
        std::fprintf(stderr, "whisperchat-loadgen: codec template without %s\n",
                     std::string(mark).c_str());
        std::abort();
    }
    return {s.substr(0, at), s.substr(at + mark.size())};
}

bool allDigits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Population centres with rough weights: pairs are placed around them so the
// matchmaker sees a realistic, clustered distribution, not a uniform sphere.
struct City {
    double lat, lon;
    int weight;
};
constexpr City kCities[] = {
    {35.68, 139.69, 37},  {28.61, 77.21, 32},   {31.23, 121.47, 28}, {23.81, 90.41, 23},
    {-23.55, -46.63, 22}, {19.43, -99.13, 22},  {30.04, 31.24, 21},  {39.90, 116.41, 21},
    {19.08, 72.88, 21},   {34.69, 135.50, 19},  {40.71, -74.01, 19}, {24.86, 67.00, 17},
    {41.01, 28.98, 15},   {-34.60, -58.38, 15}, {22.57, 88.36, 15},  {6.52, 3.38, 15},
    {14.60, 120.98, 14},  {-22.91, -43.17, 13}, {55.76, 37.62, 12},  {48.86, 2.35, 11},
    {51.51, -0.13, 9},    {34.05, -118.24, 12}, {52.52, 13.40, 4},   {-33.87, 151.21, 5},
    {1.35, 103.82, 6},    {-1.29, 36.82, 5},    {43.65, -79.38, 6},  {59.33, 18.07, 2},
};

// Every pair gets a cell of its own on a global grid: rows kCellDeg of
// latitude apart, and in each row cells kCellDeg / cos(latitude) of
// longitude apart, so neighbouring cells are about 3.3 km apart anywhere.
// Both members stand at the cell's centre and reach kPairReachKm: a client
// is in reach of its partner and of nobody else (every other client is over
// 3 km away). The server matches on positions snapped to privacy cells of
// about 1 km (each moved up to ~0.72 km): members at one point share a cell,
// members apart could fall into neighbouring cells over 1 km apart and
// never match; other pairs stay over 1.8 km away after the snap. With the pairs of a city merely
// near each other, members that joined in different ticks (io-threads) could be paired across pairs
// and strand their partners.
constexpr double kCellDeg = 0.03;
constexpr double kPartnerDeg = 0.0;

} // namespace

// A point within ~25 km of a city chosen by population weight, moved to the
// nearest free cell (rings of cells outward). Pair k's draw depends on k
// only, and cells are handed out in pair order.
std::vector<PairSpot> placePairs(int pairs) {
    int totalWeight = 0;
    for (const City &city : kCities)
        totalWeight += city.weight;
    std::unordered_set<std::int64_t> taken;
    const auto lonStep = [](std::int64_t row) {
        return kCellDeg / std::cos(double(row) * kCellDeg * std::numbers::pi / 180.0);
    };
    // Takes the free cell nearest (lat, lon), ring by ring outward, and
    // returns its centre.
    const auto claimCell = [&](double lat, double lon) -> std::pair<double, double> {
        const auto row0 = std::int64_t(std::lround(lat / kCellDeg));
        for (std::int64_t ring = 0;; ++ring)
            for (std::int64_t dr = -ring; dr <= ring; ++dr)
                for (std::int64_t dc = -ring; dc <= ring; ++dc) {
                    if (std::max(std::abs(dr), std::abs(dc)) != ring)
                        continue; // inside: an earlier ring
                    const std::int64_t row = row0 + dr;
                    const std::int64_t col = std::lround(lon / lonStep(row)) + dc;
                    if (taken.insert(row * 100000 + col).second)
                        return {double(row) * kCellDeg, double(col) * lonStep(row)};
                }
    };
    std::uniform_real_distribution<double> spread(-0.25, 0.25); // ~25 km around the centre
    std::uniform_real_distribution<double> near(-kPartnerDeg, kPartnerDeg);
    std::vector<PairSpot> spots;
    spots.reserve(std::size_t(std::max(0, pairs)));
    for (int k = 0; k < pairs; ++k) {
        std::mt19937_64 rng(std::uint64_t(k) * 0x9E3779B97F4A7C15ull + 7);
        int pick = int(rng() % std::uint64_t(totalWeight));
        const City *city = &kCities[0];
        for (const City &candidate : kCities) {
            if (pick < candidate.weight) {
                city = &candidate;
                break;
            }
            pick -= candidate.weight;
        }
        const double lat = city->lat + spread(rng);
        const double lon = city->lon + spread(rng);
        PairSpot spot;
        spot.partnerDLat = near(rng);
        spot.partnerDLon = near(rng);
        std::tie(spot.lat, spot.lon) = claimCell(lat, lon);
        spots.push_back(spot);
    }
    return spots;
}

void appendTaggedText(std::string &out, int sender, std::uint64_t seq, int chars) {
    const std::size_t start = out.size();
    char digits[24];
    out.push_back('s');
    auto r = std::to_chars(digits, digits + sizeof digits, sender);
    out.append(digits, r.ptr);
    out.push_back('.');
    r = std::to_chars(digits, digits + sizeof digits, seq);
    out.append(digits, r.ptr);
    if (out.size() - start < std::size_t(std::max(0, chars)))
        out.append(std::size_t(chars) - (out.size() - start), 'x');
}

bool parseTaggedText(std::string_view text, int &sender, std::uint64_t &seq) {
    if (text.empty() || text[0] != 's')
        return false;
    const char *p = text.data() + 1;
    const char *end = text.data() + text.size();
    auto r = std::from_chars(p, end, sender);
    if (r.ec != std::errc() || r.ptr == p || r.ptr == end || *r.ptr != '.' || sender < 0)
        return false;
    p = r.ptr + 1;
    r = std::from_chars(p, end, seq);
    if (r.ec != std::errc() || r.ptr == p)
        return false;
    return std::all_of(r.ptr, end, [](char c) { return c == 'x'; });
}

Endpoint endpointOf(const LoadOptions &options, int globalIndex) {
    if (globalIndex % 2 == 0 || options.partnerPort <= 0)
        return {options.host, options.port, options.path};
    return {options.partnerHost.empty() ? options.host : options.partnerHost, options.partnerPort,
            options.partnerPath.empty() ? std::string("/") : options.partnerPath};
}

LoadGenerator::LoadGenerator(LoadOptions options)
    : m_options(std::move(options)) {
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    // Rate mode sleeps until the next message is due, tens of microseconds
    // away; the default 50 us timer slack would make every send late.
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    m_clients.resize(std::size_t(std::max(0, m_options.clients)));
    const int firstPair = std::max(0, m_options.firstClient) / 2;
    m_spots = placePairs(firstPair + (std::max(0, m_options.clients) + 1) / 2);
    m_spots.erase(m_spots.begin(), m_spots.begin() + firstPair);

    // Frames come from the protocol codec once; the hot path only fills in
    // the tagged text and id and masks them (client frames), or compares
    // bytes against their fixed parts (server frames). The tags are digits,
    // 's', '.' and 'x': JSON strings that need no escaping.
    const QString textMark = QString::fromLatin1(kTextMark);
    const QString idMark = QString::fromLatin1(kIdMark);
    const std::string send = toStd(Codec::encode(ClientMessage{SendMessage{textMark, idMark}}));
    // Whichever field the codec writes first (it sorts keys today).
    m_sendIdFirst = send.find(kIdMark) < send.find(kTextMark);
    std::string rest;
    std::tie(m_sendPrefix, rest) = splitAt(send, m_sendIdFirst ? kIdMark : kTextMark);
    std::tie(m_sendMiddle, m_sendSuffix) = splitAt(rest, m_sendIdFirst ? kTextMark : kIdMark);
    std::tie(m_deliveredPrefix, m_deliveredSuffix) =
        splitAt(toStd(Codec::encode(ServerMessage{Delivered{idMark}})), kIdMark);
    // The incoming message's `ts` varies too: where two timestamps differ.
    std::string tail0, tail1;
    std::tie(m_incomingPrefix, tail0) =
        splitAt(toStd(Codec::encode(ServerMessage{IncomingMessage{textMark, 0}})), kTextMark);
    tail1 = splitAt(toStd(Codec::encode(ServerMessage{IncomingMessage{textMark, 1}})), kTextMark)
                .second;
    std::size_t common = 0;
    while (common < tail0.size() && tail0[common] == tail1[common])
        ++common;
    m_incomingMiddle = tail0.substr(0, common);
    m_incomingSuffix = tail0.substr(common + 1);
    m_endpoint = endpointOf(m_options, 0);
    m_partnerEndpoint = endpointOf(m_options, 1);
    m_upgrade = ws::upgradeRequest(m_endpoint.host + ":" + std::to_string(m_endpoint.port),
                                   m_endpoint.path);
    m_partnerUpgrade =
        ws::upgradeRequest(m_partnerEndpoint.host + ":" + std::to_string(m_partnerEndpoint.port),
                           m_partnerEndpoint.path);
}

LoadGenerator::~LoadGenerator() {
    for (Client &c : m_clients)
        if (c.fd >= 0)
            ::close(c.fd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void LoadGenerator::error(const char *kind) {
    ++m_errors;
    if (m_errorKinds.size() < 32 &&
        std::find(m_errorKinds.begin(), m_errorKinds.end(), kind) == m_errorKinds.end())
        m_errorKinds.emplace_back(kind);
}

void LoadGenerator::fail(int index, const char *kind) {
    error(kind);
    closeClient(index);
}

void LoadGenerator::closeClient(int index) {
    Client &c = m_clients[std::size_t(index)];
    if (c.state == Client::State::Connecting || c.state == Client::State::Handshaking ||
        (c.state == Client::State::Open && !c.welcomed))
        --m_connecting;
    if (c.fd >= 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.fd = -1;
    }
    if (c.state == Client::State::Open)
        --m_open;
    c.state = Client::State::Closed;
    ++m_closedCount;
}

void LoadGenerator::startConnect(int index) {
    Client &c = m_clients[std::size_t(index)];
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        c.state = Client::State::Closed;
        ++m_closedCount;
        error("socket_failed");
        return;
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (m_options.sourceAddresses > 0) {
        // Several source addresses multiply the ephemeral port space, so tens
        // of thousands of connections to one server port fit.
        setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in src{};
        src.sin_family = AF_INET;
        src.sin_addr.s_addr = htonl(0x7F000002u + std::uint32_t((m_options.firstClient + index) %
                                                                m_options.sourceAddresses));
        if (::bind(c.fd, reinterpret_cast<sockaddr *>(&src), sizeof src) != 0) {
            c.state = Client::State::Connecting;
            ++m_connecting;
            fail(index, "bind_failed");
            return;
        }
    }
    // firstClient is even (shards hold whole pairs): the parity is global.
    const Endpoint &to = index % 2 != 0 ? m_partnerEndpoint : m_endpoint;
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(std::uint16_t(to.port));
    inet_pton(AF_INET, to.host.c_str(), &dst.sin_addr);
    c.state = Client::State::Connecting;
    ++m_connecting;
    const int rc = ::connect(c.fd, reinterpret_cast<sockaddr *>(&dst), sizeof dst);
    if (rc != 0 && errno != EINPROGRESS) {
        fail(index, "connect_failed");
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u32 = std::uint32_t(index);
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &ev);
    c.wantWrite = true;
}

void LoadGenerator::sendFrame(Client &c, Opcode opcode, std::string_view payload) {
    m_mask = m_mask * 1664525u + 1013904223u;
    ws::appendMaskedFrame(c.out, opcode, payload, m_mask);
}

void LoadGenerator::sendMessage(Client &c, std::int64_t dueNs) {
    // Text "s<sender>.<seq>", id "<seq>": the partner can tell who sent it
    // and whether it is the next one, and the ack which message it is for.
    const auto index = int(&c - m_clients.data());
    const std::uint64_t seq = c.sent;
    char digits[24];
    const auto idEnd = std::to_chars(digits, digits + sizeof digits, seq).ptr;
    m_scratch.assign(m_sendPrefix);
    if (m_sendIdFirst) {
        m_scratch.append(digits, idEnd).append(m_sendMiddle);
        appendTaggedText(m_scratch, m_options.firstClient + index, seq, m_options.textChars);
    } else {
        appendTaggedText(m_scratch, m_options.firstClient + index, seq, m_options.textChars);
        m_scratch.append(m_sendMiddle).append(digits, idEnd);
    }
    m_scratch.append(m_sendSuffix);
    sendFrame(c, Opcode::Text, m_scratch);
    c.inflight.push_back(Client::InFlight{dueNs, nowNs(), seq});
    ++c.sent;
}

void LoadGenerator::flush(int index) {
    Client &c = m_clients[std::size_t(index)];
    if (c.fd < 0)
        return;
    while (c.outPos < c.out.size()) {
        const ssize_t n =
            ::send(c.fd, c.out.data() + c.outPos, c.out.size() - c.outPos, MSG_NOSIGNAL);
        if (n > 0) {
            c.outPos += std::size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        fail(index, "send_failed");
        return;
    }
    const bool pending = c.outPos < c.out.size();
    if (!pending) {
        c.out.clear();
        c.outPos = 0;
    }
    if (pending != c.wantWrite && c.state != Client::State::Connecting) {
        epoll_event ev{};
        ev.events = EPOLLIN | (pending ? EPOLLOUT : 0u);
        ev.data.u32 = std::uint32_t(index);
        epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
        c.wantWrite = pending;
    }
}

void LoadGenerator::onEvent(int index, std::uint32_t events) {
    Client &c = m_clients[std::size_t(index)];
    if (c.fd < 0)
        return;
    if (c.state == Client::State::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
            fail(index, "connect_failed");
            return;
        }
        c.state = Client::State::Handshaking;
        c.out.append(index % 2 != 0 ? m_partnerUpgrade : m_upgrade);
        c.wantWrite = true; // registered with EPOLLOUT
        flush(index);
        return;
    }
    if (events & EPOLLOUT)
        flush(index);
    if (c.fd < 0 || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    char buf[kReadChunk];
    for (;;) {
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) {
            c.in.append(buf, std::size_t(n));
            if (std::size_t(n) < sizeof buf)
                break;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        // EOF or reset: expected only once we asked to close.
        if (!c.closing)
            error("unexpected_close");
        closeClient(index);
        return;
    }
    if (c.state == Client::State::Handshaking)
        onHandshakeData(c);
    if (c.state == Client::State::Open && !c.broken)
        onFrames(index);
    if (c.broken)
        closeClient(index);
    else
        flush(index);
}

void LoadGenerator::onHandshakeData(Client &c) {
    const std::size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (c.in.size() > 8192) {
            c.broken = true;
            error("handshake_failed");
        }
        return;
    }
    const std::string_view head(c.in.data(), end);
    if (head.substr(0, 12) != "HTTP/1.1 101" ||
        head.find(ws::expectedAccept()) == std::string::npos) {
        error("handshake_failed");
        c.broken = true;
        return;
    }
    c.in.erase(0, end + 4);
    c.state = Client::State::Open;
    ++m_open;
}

void LoadGenerator::onFrames(int index) {
    Client &c = m_clients[std::size_t(index)];
    std::size_t pos = 0;
    ws::FrameView frame;
    for (;;) {
        const auto r = ws::parseFrame(std::string_view(c.in).substr(pos), frame);
        if (r == ws::ParseResult::NeedMore)
            break;
        if (r == ws::ParseResult::Invalid) {
            error("bad_frame");
            c.broken = true;
            return;
        }
        pos += frame.frameBytes;
        switch (frame.opcode) {
        case Opcode::Text:
            if (!frame.fin) {
                error("fragmented_frame"); // servers here never fragment small messages
                break;
            }
            onText(index, frame.payload);
            break;
        case Opcode::Ping:
            sendFrame(c, Opcode::Pong, frame.payload);
            break;
        case Opcode::Close:
            if (!c.closing) {
                error("server_closed");
                sendFrame(c, Opcode::Close, frame.payload.substr(0, 2));
                c.closing = true;
            }
            break;
        default:
            break;
        }
    }
    c.in.erase(0, pos);
}

void LoadGenerator::onDelivered(int index, std::string_view id) {
    Client &c = m_clients[std::size_t(index)];
    const std::int64_t now = nowNs();
    if (c.inflight.empty()) {
        error("unexpected_delivered");
        return;
    }
    const Client::InFlight sent = c.inflight.front();
    c.inflight.pop_front();
    ++c.acked;
    // Acks come in the order the messages were sent, each naming its own.
    std::uint64_t seq = 0;
    const auto r = std::from_chars(id.data(), id.data() + id.size(), seq);
    if (!allDigits(id) || r.ptr != id.data() + id.size() || seq != sent.seq) {
        ++m_ackMismatches;
        error("ack_mismatch");
    }
    if (now >= m_measureStart && now < m_measureEnd) {
        ++m_measuredDelivered;
        m_latencyUs.push_back(float(double(now - sent.dueNs) / 1000.0));
        m_sendLagUs.push_back(float(double(sent.sentNs - sent.dueNs) / 1000.0));
        if (!m_options.latencyLogPath.empty())
            m_dueNs.push_back(sent.dueNs);
    }
    if (m_phase == Phase::Chat && m_options.rate <= 0 && now < m_measureEnd)
        sendMessage(c, now);
}

void LoadGenerator::onChatMessage(int index, std::string_view text) {
    Client &c = m_clients[std::size_t(index)];
    ++c.received;
    int sender = -1;
    std::uint64_t seq = 0;
    if (!parseTaggedText(text, sender, seq)) {
        error("untagged_message");
        return;
    }
    if (c.partner < 0 || sender != m_options.firstClient + c.partner) {
        ++m_misrouted;
        error("misrouted_message");
        return;
    }
    if (seq < c.nextFromPartner) {
        ++m_duplicated;
        error("duplicate_message");
        return;
    }
    if (seq > c.nextFromPartner) {
        ++m_outOfOrder;
        error("missing_or_reordered_message");
    }
    c.nextFromPartner = seq + 1;
}

bool LoadGenerator::pairComplete(const Client &c) const {
    if (c.acked != c.sent)
        return false;
    if (c.partner < 0)
        return c.received == 0;
    return c.nextFromPartner == m_clients[std::size_t(c.partner)].sent;
}

void LoadGenerator::onText(int index, std::string_view payload) {
    Client &c = m_clients[std::size_t(index)];
    const std::int64_t now = nowNs();
    if (payload.size() > m_deliveredPrefix.size() + m_deliveredSuffix.size() &&
        payload.starts_with(m_deliveredPrefix) && payload.ends_with(m_deliveredSuffix)) {
        onDelivered(index, payload.substr(m_deliveredPrefix.size(), payload.size() -
                                                                        m_deliveredPrefix.size() -
                                                                        m_deliveredSuffix.size()));
        return;
    }
    if (payload.starts_with(m_incomingPrefix)) {
        // prefix, text (no quote inside), middle, ts digits, suffix
        const std::string_view afterPrefix = payload.substr(m_incomingPrefix.size());
        const std::size_t quote = afterPrefix.find('"');
        if (quote != std::string_view::npos &&
            afterPrefix.substr(quote).starts_with(m_incomingMiddle) &&
            afterPrefix.ends_with(m_incomingSuffix)) {
            onChatMessage(index, afterPrefix.substr(0, quote));
            return;
        }
    }
    // Everything else is rare: decode it properly.
    const auto decoded =
        m_codec.decodeServer(QByteArrayView(payload.data(), qsizetype(payload.size())));
    if (std::holds_alternative<DecodeError>(decoded)) {
        error("undecodable_frame");
        return;
    }
    const ServerMessage &message = std::get<ServerMessage>(decoded);
    if (const auto *welcome = std::get_if<Welcome>(&message)) {
        c.node = welcome->node.toStdString();
        if (!c.welcomed) {
            c.welcomed = true;
            ++m_welcomed;
            --m_connecting;
        }
    } else if (std::holds_alternative<Waiting>(message)) {
        c.waiting = true;
    } else if (const auto *matched = std::get_if<Matched>(&message)) {
        c.paired = true;
        c.matchedNs = now;
        ++m_matchedCount;
        const std::string id = matched->pair.toStdString();
        const auto it = m_pairByWireId.find(id);
        if (it == m_pairByWireId.end()) {
            m_pairByWireId.emplace(id, index);
        } else {
            m_pairs.emplace_back(it->second, index);
            c.partner = it->second;
            m_clients[std::size_t(it->second)].partner = index;
        }
    } else if (const auto *in = std::get_if<IncomingMessage>(&message)) {
        // Not in the template's shape (the server encoded it differently):
        // checked all the same.
        const std::string text = in->text.toStdString();
        onChatMessage(index, text);
    } else if (std::holds_alternative<Left>(message)) {
        c.leftDone = true;
        c.paired = false;
        ++m_leaveAcks;
    } else if (std::holds_alternative<PartnerLeft>(message)) {
        c.partnerLeft = true;
        c.paired = false;
        ++m_leaveAcks;
        if (m_phase != Phase::Leave)
            error("partner_left_early");
    } else if (const auto *e = std::get_if<Error>(&message)) {
        const std::string kind = "server_error_" + toString(e->code).toStdString();
        error(kind.c_str());
    } else {
        error("unexpected_message");
    }
}

void LoadGenerator::sendJoin(int index) {
    const PairSpot &spot = m_spots[std::size_t(index / 2)];
    const bool second = index % 2 != 0;
    const double lat = spot.lat + (second ? spot.partnerDLat : 0.0);
    const double lon = spot.lon + (second ? spot.partnerDLon : 0.0);
    Client &c = m_clients[std::size_t(index)];
    const std::string payload = toStd(Codec::encode(ClientMessage{Join{lat, lon, kPairReachKm}}));
    sendFrame(c, Opcode::Text, payload);
    c.joinNs = nowNs();
}

std::int64_t LoadGenerator::dueTime(std::uint64_t k) const {
    return m_chatStart + std::int64_t(double(k) * 1e9 / m_options.rate);
}

void LoadGenerator::scheduleRated(std::int64_t now) {
    if (now >= m_measureEnd)
        return;
    // Messages 0 .. target-1 are due by now; each is sent as soon as the loop
    // gets to it and keeps its own due time for the latency.
    auto target = std::uint64_t(double(now - m_chatStart) * m_options.rate / 1e9) + 1;
    while (dueTime(target) <= now) // exact against dueTime(), whatever the rounding
        ++target;
    while (target > 0 && dueTime(target - 1) > now)
        --target;
    std::uint64_t due =
        target > m_scheduled ? std::min<std::uint64_t>(target - m_scheduled, 20000) : 0;
    const std::size_t n = m_clients.size();
    std::size_t idle = 0;
    while (due > 0 && idle < n) {
        const int index = int(m_rrCursor);
        m_rrCursor = (m_rrCursor + 1) % n;
        Client &c = m_clients[std::size_t(index)];
        if (!c.paired || c.partner < 0 || c.state != Client::State::Open ||
            c.inflight.size() >= kRatedInflightCap) {
            ++idle;
            continue;
        }
        idle = 0;
        sendMessage(c, dueTime(m_scheduled));
        flush(index);
        --due;
        ++m_scheduled;
    }
    if (due > 0) {
        error("rate_not_reached");
        m_scheduled = target; // do not build an ever-growing backlog
    }
}

void LoadGenerator::pump(std::int64_t now) {
    if (m_phase == Phase::Connect) {
        while (m_connecting < m_options.handshakeWindow && m_nextToConnect < int(m_clients.size()))
            startConnect(m_nextToConnect++);
    } else if (m_phase == Phase::Chat && m_options.rate > 0) {
        scheduleRated(now);
    }
}

bool LoadGenerator::loop(std::int64_t untilNs, const std::function<bool()> &done) {
    epoll_event events[512];
    for (;;) {
        std::int64_t now = nowNs();
        pump(now);
        if (done())
            return true;
        if (now >= untilNs)
            return false;
        const bool rated = m_phase == Phase::Chat && m_options.rate > 0 && now < m_measureEnd;
        // Rate mode wakes up on the pace step when the next message is due,
        // not on a 1 ms tick, which sent the rate in bursts (20 at once at
        // 20k msg/s). A wake-up per message would cost the load generator
        // about a third more CPU (idle exits and timers, in a VM), so the
        // default step is 250 us; the wait counts in the latency.
        std::int64_t waitNs = std::min<std::int64_t>(10'000'000, untilNs - now + 1'000'000);
        if (rated) {
            // The next wake-up is the first pace step at or after the next due
            // time (never before it: a message sent early would look faster).
            const auto step = std::int64_t(m_options.paceMicroseconds) * 1000;
            std::int64_t wake = dueTime(m_scheduled);
            if (step > 0)
                wake = m_chatStart + (wake - m_chatStart + step - 1) / step * step;
            waitNs = std::clamp<std::int64_t>(wake - now, 0, waitNs);
        }
        const timespec timeout{time_t(waitNs / 1'000'000'000), long(waitNs % 1'000'000'000)};
        const int n = epoll_pwait2(m_epoll, events, 512, &timeout, nullptr);
        for (int i = 0; i < n; ++i) {
            onEvent(int(events[i].data.u32), events[i].events);
            // A burst of replies (the server flushes a batch at once) takes
            // milliseconds to read; sending on schedule in between keeps the
            // load generator's own lag out of the latency it reports.
            if (rated && i % 32 == 31)
                scheduleRated(nowNs());
        }
    }
}

LoadReport LoadGenerator::run() {
    LoadReport r;
    r.clients = int(m_clients.size());
    const auto timeout = std::int64_t(m_options.phaseTimeoutSeconds * 1e9);
    const pid_t pid = m_options.serverPid;
    if (pid > 0)
        if (const auto s = sampleProcess(pid))
            r.serverRssBefore = s->rssBytes;
    const int n = int(m_clients.size());

    // 1. connect: every client gets its welcome
    m_phase = Phase::Connect;
    std::int64_t t0 = nowNs();
    loop(t0 + timeout, [&] { return m_welcomed + m_closedCount >= n && m_nextToConnect >= n; });
    r.connected = m_welcomed;
    r.connectSeconds = double(nowNs() - t0) / 1e9;
    r.handshakesPerSecond = r.connectSeconds > 0 ? m_welcomed / r.connectSeconds : 0;
    if (m_welcomed < n)
        error("not_all_connected");

    // 2. join and pair up
    if (m_options.join) {
        m_phase = Phase::Join;
        // Spread out, pair by pair (both members at once, so a member's wait
        // is not its partner's lateness), the joins land at every phase of
        // the matchmaker's tick and the waits sample the tick as a client
        // sees it; all at once they land in one tick and measure a burst.
        const int pairCount = (n + 1) / 2;
        const std::int64_t spreadStart = nowNs();
        for (int k = 0; k < pairCount; ++k) {
            if (m_options.joinSpreadSeconds > 0)
                loop(spreadStart + std::int64_t(m_options.joinSpreadSeconds * 1e9 * k / pairCount),
                     [] { return false; });
            for (int i = 2 * k; i < std::min(n, 2 * k + 2); ++i) {
                if (m_clients[std::size_t(i)].welcomed &&
                    m_clients[std::size_t(i)].state == Client::State::Open) {
                    sendJoin(i);
                    flush(i);
                }
            }
        }
        const int expected = m_welcomed - (m_welcomed % 2);
        t0 = nowNs();
        if (!loop(t0 + timeout, [&] { return m_matchedCount >= expected; }))
            error("not_all_matched");
        r.matched = m_matchedCount;
        for (const Client &c : m_clients)
            if (c.matchedNs > 0)
                m_matchWaitUs.push_back(float(double(c.matchedNs - c.joinNs) / 1e3));
        std::sort(m_matchWaitUs.begin(), m_matchWaitUs.end());
        if (!m_matchWaitUs.empty()) {
            const auto at = [this](double q) {
                return double(
                           m_matchWaitUs[std::min(m_matchWaitUs.size() - 1,
                                                  std::size_t(q * double(m_matchWaitUs.size())))]) /
                       1e6;
            };
            r.matchSecondsP50 = at(0.5);
            r.matchSecondsP99 = at(0.99);
            r.matchSecondsMax = double(m_matchWaitUs.back()) / 1e6;
        }
        for (const auto &[a, b] : m_pairs) {
            const std::string &na = m_clients[std::size_t(a)].node;
            const std::string &nb = m_clients[std::size_t(b)].node;
            if (!na.empty() && !nb.empty() && na != nb)
                ++r.crossNodePairs;
        }
    }
    if (m_options.beforeChat)
        m_options.beforeChat();
    if (pid > 0)
        if (const auto s = sampleProcess(pid)) {
            r.serverRssConnected = s->rssBytes;
            if (m_welcomed > 0 && r.serverRssBefore >= 0)
                r.serverRssPerConnection =
                    double(r.serverRssConnected - r.serverRssBefore) / m_welcomed;
        }

    // 3. chat (or hold idle) and measure
    const bool chat = m_options.join && (m_options.rate > 0 || m_options.window > 0);
    m_phase = Phase::Chat;
    m_chatStart = nowNs();
    m_measureStart = m_chatStart + std::int64_t(m_options.warmupSeconds * 1e9);
    m_measureEnd = m_measureStart + std::int64_t(m_options.durationSeconds * 1e9);
    if (chat && m_options.rate <= 0) {
        for (int i = 0; i < n; ++i) {
            Client &c = m_clients[std::size_t(i)];
            if (!c.paired || c.partner < 0 || c.state != Client::State::Open)
                continue;
            for (int k = 0; k < m_options.window; ++k)
                sendMessage(c, m_chatStart);
            flush(i);
        }
    }
    loop(m_measureStart, [] { return false; });
    // CPU seconds of a process so far; negative when it cannot be read (no
    // server PID given, or the process is gone).
    const auto cpuSeconds = [](pid_t p) {
        if (p > 0)
            if (const auto s = sampleProcess(p))
                return s->cpuSeconds;
        return -1.0;
    };
    const double serverBefore = cpuSeconds(pid);
    const double selfBefore = cpuSeconds(getpid());
    std::vector<double> watchedBefore;
    for (const pid_t p : m_options.watchPids)
        watchedBefore.push_back(cpuSeconds(p));
    const std::int64_t measureT0 = nowNs();
    loop(m_measureEnd, [] { return false; });
    const double measured = double(nowNs() - measureT0) / 1e9;
    const double serverAfter = cpuSeconds(pid);
    const double selfAfter = cpuSeconds(getpid());
    for (std::size_t k = 0; k < m_options.watchPids.size(); ++k) {
        LoadReport::WatchedCpu w;
        w.pid = m_options.watchPids[k];
        const double after = cpuSeconds(w.pid);
        if (watchedBefore[k] >= 0 && after >= 0 && measured > 0) {
            w.cpuPercent = 100.0 * (after - watchedBefore[k]) / measured;
            if (m_measuredDelivered > 0)
                w.cpuUsPerMessage = 1e6 * (after - watchedBefore[k]) / double(m_measuredDelivered);
        }
        r.watched.push_back(w);
    }
    const bool serverKnown = serverBefore >= 0 && serverAfter >= 0;
    const bool selfKnown = selfBefore >= 0 && selfAfter >= 0;
    r.measuredSeconds = measured;
    if (serverKnown)
        r.serverCpuPercent = 100.0 * (serverAfter - serverBefore) / measured;
    if (selfKnown)
        r.loadgenCpuPercent = 100.0 * (selfAfter - selfBefore) / measured;
    r.measuredDelivered = m_measuredDelivered;
    if (m_measuredDelivered > 0) {
        if (serverKnown)
            r.serverCpuUsPerMessage =
                1e6 * (serverAfter - serverBefore) / double(m_measuredDelivered);
        if (selfKnown)
            r.loadgenCpuUsPerMessage = 1e6 * (selfAfter - selfBefore) / double(m_measuredDelivered);
    }
    r.deliveredPerSecond = double(m_measuredDelivered) / measured;

    // 4. drain: everything sent is acked and arrives at the partner, once
    // and in order (checked message by message as they arrive)
    m_phase = Phase::Drain;
    auto totals = [this](std::uint64_t &sent, std::uint64_t &acked, std::uint64_t &received) {
        sent = acked = received = 0;
        for (const Client &c : m_clients) {
            sent += c.sent;
            acked += c.acked;
            received += c.received;
        }
    };
    std::uint64_t sent = 0, acked = 0, received = 0;
    const auto allComplete = [this] {
        return std::all_of(m_clients.begin(), m_clients.end(),
                           [this](const Client &c) { return pairComplete(c); });
    };
    loop(nowNs() + timeout, [&] {
        totals(sent, acked, received);
        return acked == sent && received == acked && allComplete();
    });
    totals(sent, acked, received);
    r.sent = sent;
    r.delivered = acked;
    r.received = received;
    for (const auto &[a, b] : m_pairs) {
        const Client &ca = m_clients[std::size_t(a)];
        const Client &cb = m_clients[std::size_t(b)];
        // Exactly complete both ways: every message in order, none extra.
        if (pairComplete(ca) && pairComplete(cb) && ca.received == cb.sent &&
            cb.received == ca.sent)
            ++r.pairsVerified;
    }
    r.misrouted = m_misrouted;
    r.duplicated = m_duplicated;
    r.outOfOrder = m_outOfOrder;
    r.ackMismatches = m_ackMismatches;
    r.accounted = sent == acked && received == acked && allComplete() && m_misrouted == 0 &&
                  m_duplicated == 0 && m_outOfOrder == 0 && m_ackMismatches == 0;
    if (!r.accounted)
        error("messages_unaccounted");

    // 5. leave: one member of each pair leaves; both must hear about it
    if (m_options.leave && m_options.join) {
        m_phase = Phase::Leave;
        int expectedAcks = 0;
        for (const auto &[a, b] : m_pairs) {
            Client &c = m_clients[std::size_t(a)];
            if (c.state != Client::State::Open || !c.paired)
                continue;
            sendFrame(c, Opcode::Text, toStd(Codec::encode(ClientMessage{Leave{}})));
            flush(a);
            expectedAcks += 2;
        }
        if (!loop(nowNs() + timeout, [&] { return m_leaveAcks >= expectedAcks; }))
            error("leave_unconfirmed");
        for (const auto &[a, b] : m_pairs)
            if (m_clients[std::size_t(a)].leftDone && m_clients[std::size_t(b)].partnerLeft)
                ++r.pairsLeft;
    }

    // 6. close politely and wait for the server to close its side
    m_phase = Phase::Close;
    for (int i = 0; i < n; ++i) {
        Client &c = m_clients[std::size_t(i)];
        if (c.state != Client::State::Open)
            continue;
        c.closing = true;
        sendFrame(c, Opcode::Close, std::string_view("\x03\xe8", 2)); // 1000 normal closure
        flush(i);
    }
    loop(nowNs() + std::min<std::int64_t>(timeout, 5'000'000'000), [&] { return m_open <= 0; });

    if (!m_options.latencyLogPath.empty())
        writeLatencyLog();
    auto quantile = [](const std::vector<float> &sorted, double q) {
        return double(sorted[std::min(sorted.size() - 1, std::size_t(q * double(sorted.size())))]) /
               1000.0;
    };
    std::sort(m_latencyUs.begin(), m_latencyUs.end());
    r.latency.samples = m_latencyUs.size();
    if (!m_latencyUs.empty()) {
        r.latency.p50Ms = quantile(m_latencyUs, 0.5);
        r.latency.p99Ms = quantile(m_latencyUs, 0.99);
        r.latency.p999Ms = quantile(m_latencyUs, 0.999);
        r.latency.maxMs = double(m_latencyUs.back()) / 1000.0;
    }
    std::sort(m_sendLagUs.begin(), m_sendLagUs.end());
    if (!m_sendLagUs.empty()) {
        r.sendLag.p50Ms = quantile(m_sendLagUs, 0.5);
        r.sendLag.p99Ms = quantile(m_sendLagUs, 0.99);
        r.sendLag.maxMs = double(m_sendLagUs.back()) / 1000.0;
    }
    r.errors = m_errors;
    r.errorKinds = m_errorKinds;
    return r;
}

void LoadGenerator::writeLatencyLog() const {
    std::ofstream log(m_options.latencyLogPath, std::ios::trunc);
    if (!log) {
        std::fprintf(stderr, "whisperchat-loadgen: cannot write %s\n",
                     m_options.latencyLogPath.c_str());
        return;
    }
    // Monotonic clock, so lines match `perf` timestamps of the same run.
    log << "# due_monotonic_ns send_lag_us latency_us\n";
    for (std::size_t i = 0; i < m_dueNs.size(); ++i)
        log << m_dueNs[i] << ' ' << m_sendLagUs[i] << ' ' << m_latencyUs[i] << '\n';
}

} // namespace whisper::loadgen
