// SPDX-License-Identifier: MIT
#include "soakclient.h"

#include "soakdriver.h"

#include <QJsonDocument>

namespace whisper::soak {

namespace {
constexpr int kDropWaitLimitMs = 5000;
constexpr int kHoldReleaseLimitMs = 10000;
// Messages sent at once while the partner is away (well below the server's
// resume-queue-max).
constexpr int kAwayBurst = 3;
} // namespace

SoakClient::SoakClient(SoakDriver &driver, int index)
    : m_driver(driver)
    , m_index(index) {
    m_action.setSingleShot(true);
    connect(&m_action, &QTimer::timeout, this, &SoakClient::act);
    m_dropWait.setInterval(20);
    connect(&m_dropWait, &QTimer::timeout, this, &SoakClient::finishDrop);
    m_holdRelease.setSingleShot(true);
    connect(&m_holdRelease, &QTimer::timeout, this, [this] {
        m_driver.count("hold released without partner_left or partner_away");
        m_holding = false;
    });
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        // A resume must be the connection's first frame.
        if (m_resuming)
            sendJson({{QStringLiteral("type"), QStringLiteral("resume_session")},
                      {QStringLiteral("token"), m_token}});
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &SoakClient::onText);
    connect(&m_socket, &QWebSocket::disconnected, this, &SoakClient::onDisconnected);
}

SoakClient::~SoakClient() {
    // The socket reports its end while it is destroyed, after this
    // object's other members are gone: nothing may react to it.
    m_socket.disconnect(this);
}

void SoakClient::connectNow() {
    m_socket.open(m_driver.url());
}

void SoakClient::stop() {
    m_stopped = true;
    m_action.stop();
}

void SoakClient::setHolding(bool holding) {
    m_holding = holding;
}

void SoakClient::sendJson(const QJsonObject &o) {
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
}

void SoakClient::onText(const QString &text) {
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    handle(o.value(QLatin1String("type")).toString(), o);
}

void SoakClient::handle(const QString &type, const QJsonObject &o) {
    if (type == QLatin1String("message")) {
        onMessage(o.value(QLatin1String("text")).toString());
    } else if (type == QLatin1String("delivered")) {
        onDelivered(o.value(QLatin1String("id")).toString());
    } else if (type == QLatin1String("welcome")) {
        // On a resume, this is the new session's token: the one to use if
        // the resume is refused.
        const QString token = o.value(QLatin1String("resume_token")).toString();
        if (!token.isEmpty())
            m_driver.count("welcomes with a resume_token");
        if (!m_resuming) {
            m_token = token;
            m_state = State::Lobby;
            join();
        } else {
            m_fallbackToken = token;
        }
    } else if (type == QLatin1String("resumed")) {
        m_driver.count("resumed");
        m_resuming = false;
        m_resumedHere = true;
        m_token = o.value(QLatin1String("resume_token")).toString();
        const QString state = o.value(QLatin1String("state")).toString();
        if (state == QLatin1String("paired")) {
            const QString pair = o.value(QLatin1String("pair")).toString();
            if (!pair.isEmpty() && pair != m_pair)
                enterPair(pair);
            m_state = State::Paired;
            // A message whose `delivered` never came goes again with the
            // same id: the server delivers it once.
            for (const QString &id : std::as_const(m_unacked))
                sendJson({{QStringLiteral("type"), QStringLiteral("message")},
                          {QStringLiteral("text"), id},
                          {QStringLiteral("id"), id}});
            scheduleAction();
        } else {
            leavePair();
            m_state = state == QLatin1String("waiting") ? State::Waiting : State::Lobby;
            if (m_state == State::Lobby)
                join();
        }
    } else if (type == QLatin1String("error")) {
        const QString code = o.value(QLatin1String("code")).toString();
        const QString ref = o.value(QLatin1String("ref")).toString();
        if (m_resuming && code == QLatin1String("not_found")) {
            // Expired or unknown: carry on as the new session.
            m_driver.count("resume refused");
            m_resuming = false;
            m_token = m_fallbackToken;
            leavePair();
            m_state = State::Lobby;
            join();
        } else if (ref == QLatin1String("message") && code == QLatin1String("conflict")) {
            // The partner was gone before it arrived: never delivered.
            m_unacked.clear();
            m_driver.count("message after the pair ended");
        } else {
            m_driver.count(qPrintable(QStringLiteral("error ") + code + QLatin1Char(' ') + ref));
        }
    } else if (type == QLatin1String("waiting")) {
        m_state = State::Waiting;
    } else if (type == QLatin1String("matched")) {
        enterPair(o.value(QLatin1String("pair")).toString());
        m_state = State::Paired;
        scheduleAction();
    } else if (type == QLatin1String("partner_left") || type == QLatin1String("left")) {
        m_holdRelease.stop();
        // After `resumed` "lobby" the queued `partner_left` follows: the
        // client has already moved on.
        const bool inPair = m_state == State::Paired;
        leavePair();
        if (inPair) {
            m_state = State::Lobby;
            join();
        }
    } else if (type == QLatin1String("partner_away")) {
        m_driver.count("partner_away");
        m_partnerAway = true;
        m_holdRelease.stop();
        m_holding = false; // messages from now on wait for the resume
        // Soon, while the partner is surely still away: a burst to queue.
        if (m_state == State::Paired && !m_stopped) {
            std::uniform_int_distribution<int> soon(10, 100);
            m_action.start(soon(m_driver.random()));
        }
    } else if (type == QLatin1String("partner_back")) {
        m_driver.count("partner_back");
        m_partnerAway = false;
    }
}

void SoakClient::onMessage(const QString &id) {
    ++m_receivedInPair;
    // Ids are "sender-sequence": a sender's messages arrive in order.
    const qsizetype dash = id.indexOf(QLatin1Char('-'));
    const int sender = id.left(dash).toInt();
    const quint64 seq = id.mid(dash + 1).toULongLong();
    quint64 &last = m_lastSeqFrom[sender];
    const bool inOrder = seq > last;
    last = qMax(last, seq);
    m_driver.recordReceived(id, m_resumedHere, inOrder);
}

void SoakClient::onDelivered(const QString &id) {
    if (m_unacked.removeOne(id)) {
        ++m_ackedInPair;
        m_driver.recordDelivered(id, m_partnerAway);
        return;
    }
    // A message queued for a partner that was away reaches it when the
    // partner resumes, which may be after this client left the pair: the
    // late `delivered` still counts (the message must have arrived).
    if (id.startsWith(QString::number(m_index) + QLatin1Char('-')))
        m_driver.recordLateDelivered(id);
    else
        m_driver.count("delivered for another client's id");
}

void SoakClient::enterPair(const QString &pair) {
    leavePair();
    m_pair = pair;
    m_ackedInPair = 0;
    m_receivedInPair = 0;
    m_driver.recordPaired(pair, this);
}

void SoakClient::leavePair() {
    if (!m_pair.isEmpty())
        m_driver.recordUnpaired(m_pair, this);
    m_pair.clear();
    m_unacked.clear();
    m_holding = false;
    m_partnerAway = false;
}

void SoakClient::join() {
    if (m_stopped || !isConnected())
        return;
    // Clients of one cell (ten of them) are within range of each other and
    // of no one else.
    const int cells = qMax(1, m_driver.options().clients / 10);
    const int cell = int(m_driver.random()() % unsigned(cells));
    std::uniform_real_distribution<double> jitter(-0.001, 0.001);
    const double lat = -50.0 + (cell / 36) * 2.0 + jitter(m_driver.random());
    const double lon = -170.0 + (cell % 36) * 9.5 + jitter(m_driver.random());
    sendJson({{QStringLiteral("type"), QStringLiteral("join")},
              {QStringLiteral("lat"), lat},
              {QStringLiteral("lon"), lon},
              {QStringLiteral("range_km"), 5}});
}

void SoakClient::scheduleAction() {
    if (m_stopped)
        return;
    std::exponential_distribution<double> next(1.0 / m_driver.options().messageIntervalS);
    m_action.start(int(qBound(1.0, next(m_driver.random()) * 1000.0, 60000.0)));
}

void SoakClient::act() {
    if (m_stopped || m_state != State::Paired || m_dropping)
        return;
    std::uniform_real_distribution<double> roll(0.0, 1.0);
    const double r = roll(m_driver.random());
    const SoakOptions &o = m_driver.options();
    if (r < o.leaveShare) {
        m_driver.count("leaves");
        sendJson({{QStringLiteral("type"), QStringLiteral("leave")}});
        return; // `left` brings it back to the lobby
    }
    // A drop waits for the partner's messages in flight; with the partner
    // away or dropping too there is nothing to wait for that would come.
    const SoakClient *partner = m_driver.partnerOf(m_pair, this);
    if (r < o.leaveShare + o.dropShare && partner && partner->isConnected() &&
        !partner->isDropping()) {
        beginDrop();
        return;
    }
    if (m_partnerAway) {
        while (m_unacked.size() < kAwayBurst)
            sendNext();
    } else if (m_unacked.isEmpty() && !m_holding) {
        sendNext();
    }
    scheduleAction();
}

void SoakClient::sendNext() {
    const QString id = QStringLiteral("%1-%2").arg(m_index).arg(++m_seq);
    m_unacked << id;
    m_driver.recordSent(id, m_partnerAway);
    sendJson({{QStringLiteral("type"), QStringLiteral("message")},
              {QStringLiteral("text"), id},
              {QStringLiteral("id"), id}});
}

void SoakClient::beginDrop() {
    m_dropping = true;
    m_holding = true;
    if (SoakClient *partner = m_driver.partnerOf(m_pair, this))
        partner->setHolding(true);
    m_dropStarted.start();
    m_dropWait.start();
}

// Drops once the partner's acknowledged messages have all arrived here.
void SoakClient::finishDrop() {
    SoakClient *partner = m_driver.partnerOf(m_pair, this);
    const bool settled =
        !partner || (partner->unackedCount() == 0 && m_receivedInPair >= partner->ackedInPair());
    if (!settled && m_dropStarted.elapsed() < kDropWaitLimitMs)
        return;
    if (!settled)
        m_driver.count("drop without settling");
    m_dropWait.stop();
    m_driver.count("drops");
    m_socket.abort();
    // The partner holds back until the server has seen this connection go
    // (`partner_left`, or `partner_away` with resume): a message it sent
    // before that could be handed to the dead connection and acknowledged.
    if (partner)
        partner->releaseHoldWhenPartnerGone();
}

void SoakClient::releaseHoldWhenPartnerGone() {
    m_holdRelease.start(kHoldReleaseLimitMs);
}

void SoakClient::onDisconnected() {
    const bool planned = m_dropping;
    m_dropWait.stop();
    m_holdRelease.stop();
    m_action.stop();
    m_dropping = false;
    m_holding = false;
    m_resumedHere = false;
    m_state = State::Offline;
    if (!planned && !m_resuming)
        m_driver.count("disconnects by the server or network");
    // Back after 0.1-1.5 s: resumed when the server gave a token, else a new
    // session (the server has ended the pair).
    m_resuming = !m_token.isEmpty();
    if (!m_resuming)
        leavePair();
    std::uniform_int_distribution<int> delay(100, 1500);
    QTimer::singleShot(delay(m_driver.random()), this, &SoakClient::connectNow);
}

} // namespace whisper::soak
