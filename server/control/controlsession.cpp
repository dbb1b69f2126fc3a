#include "controlsession.h"

#include "chatserver.h"

#include <QDateTime>
#include <QLoggingCategory>

namespace whisper {

Q_LOGGING_CATEGORY(lcControl, "whisper.server.control")

using namespace control;

namespace {
QStringList permissionNames(Role role) {
    QStringList names;
    for (int p = int(Permission::ViewConsole); p <= int(Permission::ManageUsers); ++p)
        if (roleHas(role, Permission(p)))
            names << toString(Permission(p));
    return names;
}
} // namespace

ControlSession::ControlSession(QWebSocket *socket, ControlHub &hub, ControlBackend &backend,
                               const ControlLimits &limits, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_hub(hub)
    , m_backend(backend)
    , m_limits(limits) {
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &ControlSession::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this] {
        fail(0, ErrorCode::BadRequest, QStringLiteral("binary frames are not supported"));
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] { Q_EMIT closed(this); });
    send(Hello{kVersion, QStringLiteral("whisperchat"), hub.stats().version});
}

ControlSession::~ControlSession() {
    *m_alive = false;
}

void ControlSession::close(QWebSocketProtocol::CloseCode code, const QString &reason) {
    m_socket->close(code, reason);
}

void ControlSession::send(const ServerMessage &message) {
    m_socket->sendTextMessage(QString::fromUtf8(Codec::encode(message)));
}

void ControlSession::fail(qint64 req, ErrorCode code, const QString &message) {
    send(Error{req, code, message});
}

void ControlSession::succeed(qint64 req, const ControlOutcome &outcome) {
    if (outcome)
        fail(req, outcome->code, outcome->message);
    else
        send(Ok{req});
}

void ControlSession::onText(const QString &text) {
    const auto decoded = Codec::decodeConsole(text.toUtf8());
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        fail(0, error->code, error->message);
        return;
    }
    const ConsoleMessage &message = std::get<ConsoleMessage>(decoded);
    if (!std::holds_alternative<Login>(message) && !m_identity) {
        fail(requestId(message), ErrorCode::Unauthorized, QStringLiteral("log in first"));
        return;
    }
    std::visit([this](const auto &m) { handle(m); }, message);
}

bool ControlSession::authorize(qint64 req, Permission permission, const QString &command,
                               const QString &target, const QString &detail) {
    if (!roleHas(m_identity->role, permission)) {
        qCInfo(lcControl).noquote() << "refused" << command << "for" << m_identity->username << "("
                                    << toString(m_identity->role) << ")";
        fail(req, ErrorCode::Forbidden,
             QStringLiteral("role '%1' may not %2")
                 .arg(toString(m_identity->role), toString(permission)));
        return false;
    }
    m_backend.writeAudit(AuditEntry{QDateTime::currentMSecsSinceEpoch(), m_identity->accountId,
                                    m_identity->username, command, target, detail});
    return true;
}

void ControlSession::handle(const Login &m) {
    if (m_identity || m_loginPending) {
        fail(m.req, ErrorCode::Conflict, QStringLiteral("already logged in"));
        return;
    }
    m_loginPending = true;
    m_backend.authenticate(
        m.username, m.password, m.totp, m_socket->peerAddress(),
        [this, alive = m_alive, req = m.req](ControlBackend::Result<ControlIdentity> result) {
            if (!*alive)
                return;
            m_loginPending = false;
            const auto *identity = std::get_if<ControlIdentity>(&result);
            if (identity && !roleHas(identity->role, Permission::ViewConsole)) {
                qCInfo(lcControl).noquote()
                    << "console login refused for" << identity->username << "(role user)";
                result = ControlFailure{ErrorCode::Forbidden,
                                        QStringLiteral("this account may not use the console")};
                identity = nullptr;
            }
            if (!identity) {
                const auto &failure = std::get<ControlFailure>(result);
                fail(req, failure.code, failure.message);
                if (++m_failedLogins >= m_limits.loginAttempts)
                    close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("too many failed logins"));
                return;
            }
            m_identity = *identity;
            m_backend.writeAudit(AuditEntry{QDateTime::currentMSecsSinceEpoch(),
                                            identity->accountId, identity->username,
                                            QStringLiteral("login"), QString(), QString()});
            qCInfo(lcControl).noquote()
                << "console login:" << identity->username << "as" << toString(identity->role);
            send(LoggedIn{req, identity->username, toString(identity->role),
                          permissionNames(identity->role)});
        });
}

void ControlSession::handle(const Subscribe &m) {
    if (!authorize(m.req, Permission::ViewConsole, QStringLiteral("subscribe"), {}))
        return;
    // The snapshot is the state now; later changes gather in m_pending and
    // follow the last page.
    m_subscribed = true;
    m_snapshotDone = false;
    m_page = 0;
    m_snapWaiting = m_hub.waiting().values();
    m_snapPairs = m_hub.pairs().values();
    m_totalWaiting = int(m_snapWaiting.size());
    m_totalPairs = int(m_snapPairs.size());
    m_pending = {};
    send(Ok{m.req});
    sendSnapshotPage();
}

void ControlSession::handle(const Kick &m) {
    if (!authorize(m.req, Permission::KickClient, QStringLiteral("kick"), m.client))
        return;
    const auto id = m_hub.clientOf(m.client);
    if (!id || !m_hub.server().kickClient(*id)) {
        fail(m.req, ErrorCode::NotFound, QStringLiteral("no such client"));
        return;
    }
    m_hub.addEvent(EventKind::Kicked, m.client, tr("by %1").arg(m_identity->username));
    send(Ok{m.req});
}

void ControlSession::handle(const KickPair &m) {
    if (!authorize(m.req, Permission::KickClient, QStringLiteral("kick_pair"), m.pair))
        return;
    const auto member = m_hub.memberOfPair(m.pair);
    if (!member || !m_hub.server().kickPairOf(*member)) {
        fail(m.req, ErrorCode::NotFound, QStringLiteral("no such pair"));
        return;
    }
    send(Ok{m.req});
}

void ControlSession::handle(const Ban &m) {
    const Permission needed =
        m.durationS == 0 ? Permission::BanPermanent : Permission::BanTemporary;
    const QString target = m.account.isEmpty() ? m.client : m.account;
    if (!authorize(m.req, needed, QStringLiteral("ban"), target,
                   QStringLiteral("duration_s=%1 reason=%2").arg(m.durationS).arg(m.reason)))
        return;
    ControlBanTarget banTarget;
    std::optional<ClientId> client;
    if (!m.account.isEmpty()) {
        banTarget.account = m.account;
    } else {
        client = m_hub.clientOf(m.client);
        if (!client) {
            fail(m.req, ErrorCode::NotFound, QStringLiteral("no such client"));
            return;
        }
        // The person behind the client: their account, or a guest's address.
        if (const auto account = m_backend.accountOf(*client))
            banTarget.account = *account;
        else
            banTarget.ip = m_hub.server().peerAddress(*client);
    }
    m_backend.ban(*m_identity, banTarget, m.durationS, m.reason,
                  [this, alive = m_alive, req = m.req, client, target](ControlOutcome outcome) {
                      if (!*alive)
                          return;
                      if (!outcome) {
                          m_hub.addEvent(EventKind::Banned, target);
                          // A banned client does not get to finish its chat.
                          if (client)
                              m_hub.server().kickClient(*client);
                      }
                      succeed(req, outcome);
                  });
}

void ControlSession::handle(const ListReports &m) {
    if (!authorize(m.req, Permission::ListReports, QStringLiteral("list_reports"), {}))
        return;
    m_backend.listReports(m.includeResolved, [this, alive = m_alive, req = m.req](
                                                 ControlBackend::Result<QList<Report>> result) {
        if (!*alive)
            return;
        if (const auto *failure = std::get_if<ControlFailure>(&result))
            fail(req, failure->code, failure->message);
        else
            send(Reports{req, std::get<QList<Report>>(result)});
    });
}

void ControlSession::handle(const ResolveReport &m) {
    if (!authorize(m.req, Permission::ResolveReports, QStringLiteral("resolve_report"), m.report,
                   m.resolution))
        return;
    m_backend.resolveReport(*m_identity, m.report, m.resolution,
                            [this, alive = m_alive, req = m.req](ControlOutcome outcome) {
                                if (*alive)
                                    succeed(req, outcome);
                            });
}

void ControlSession::handle(const LookupAccount &m) {
    if (!authorize(m.req, Permission::LookupAccount, QStringLiteral("lookup_account"), m.username))
        return;
    m_backend.lookupAccount(m.username, [this, alive = m_alive,
                                         req = m.req](ControlBackend::Result<AccountInfo> result) {
        if (!*alive)
            return;
        if (const auto *failure = std::get_if<ControlFailure>(&result))
            fail(req, failure->code, failure->message);
        else
            send(Account{req, std::get<AccountInfo>(result)});
    });
}

void ControlSession::handle(const SetRole &m) {
    if (!authorize(m.req, Permission::SetRole, QStringLiteral("set_role"), m.username, m.role))
        return;
    m_backend.setRole(m.username, roleFromString(m.role).value_or(Role::User),
                      [this, alive = m_alive, req = m.req](ControlOutcome outcome) {
                          if (*alive)
                              succeed(req, outcome);
                      });
}

void ControlSession::handle(const Broadcast &m) {
    // The audit row keeps the length, not the text of the notice.
    if (!authorize(m.req, Permission::Broadcast, QStringLiteral("broadcast"), {},
                   QStringLiteral("chars=%1").arg(m.text.size())))
        return;
    m_hub.server().broadcast(protocol::Notice{m.text, QDateTime::currentMSecsSinceEpoch()});
    send(Ok{m.req});
}

void ControlSession::handle(const SetTickInterval &m) {
    if (!authorize(m.req, Permission::SetTickInterval, QStringLiteral("set_tick_interval"), {},
                   QString::number(m.ms)))
        return;
    m_hub.server().matchmaker().setInterval(m.ms);
    send(Ok{m.req});
}

void ControlSession::handle(const Drain &m) {
    if (!authorize(m.req, Permission::Drain, QStringLiteral("drain"), {}))
        return;
    m_hub.server().setDraining(true);
    qCInfo(lcControl).noquote() << "draining, requested by" << m_identity->username;
    send(Ok{m.req});
}

void ControlSession::flush(const ControlChanges &changes, const std::optional<Stats> &stats) {
    if (!m_subscribed)
        return;
    m_pending.merge(changes);
    if (!m_snapshotDone) {
        sendSnapshotPage();
        return;
    }
    sendDelta(stats);
}

void ControlSession::sendSnapshotPage() {
    // One page per batch interval bounds the bandwidth of a big snapshot.
    Snapshot page;
    page.page = m_page++;
    page.totalWaiting = m_totalWaiting;
    page.totalPairs = m_totalPairs;
    int budget = m_limits.maxBatchItems;
    const int w = std::min<int>(budget, int(m_snapWaiting.size()));
    page.waiting = m_snapWaiting.mid(m_snapWaiting.size() - w);
    m_snapWaiting.resize(m_snapWaiting.size() - w);
    budget -= w;
    const int p = std::min<int>(budget, int(m_snapPairs.size()));
    page.pairs = m_snapPairs.mid(m_snapPairs.size() - p);
    m_snapPairs.resize(m_snapPairs.size() - p);
    page.last = m_snapWaiting.isEmpty() && m_snapPairs.isEmpty();
    m_snapshotDone = page.last;
    if (page.last) {
        m_snapWaiting.squeeze();
        m_snapPairs.squeeze();
    }
    send(page);
}

void ControlSession::sendDelta(const std::optional<Stats> &stats) {
    if (m_pending.isEmpty() && !stats)
        return;
    Delta d;
    d.seq = ++m_seq;
    d.stats = stats;
    // Removals are cheap and keep the console from showing ghosts: they go
    // first; records fill the rest of the budget, the remainder waits.
    int budget = m_limits.maxBatchItems;
    auto takeIds = [&budget](QSet<QString> &from, QStringList &to) {
        for (auto it = from.begin(); it != from.end() && budget > 0; --budget) {
            to.append(*it);
            it = from.erase(it);
        }
    };
    takeIds(m_pending.waitingRemoved, d.waitingRemoved);
    takeIds(m_pending.pairsRemoved, d.pairsRemoved);
    for (auto it = m_pending.pairsAdded.begin(); it != m_pending.pairsAdded.end() && budget > 0;
         --budget) {
        d.pairsAdded.append(it.value());
        it = m_pending.pairsAdded.erase(it);
    }
    for (auto it = m_pending.waitingAdded.begin(); it != m_pending.waitingAdded.end() && budget > 0;
         --budget) {
        d.waitingAdded.append(it.value());
        it = m_pending.waitingAdded.erase(it);
    }
    for (auto it = m_pending.pairsMessaged.begin();
         it != m_pending.pairsMessaged.end() && budget > 0; --budget) {
        const auto pair = m_hub.pairs().constFind(*it);
        if (pair != m_hub.pairs().constEnd())
            d.pairMessages.append(PairMessages{pair->id, pair->messages});
        it = m_pending.pairsMessaged.erase(it);
    }
    const int events = std::min<int>(int(m_pending.events.size()), std::max(budget, 100));
    d.events = m_pending.events.mid(0, events);
    m_pending.events.remove(0, events);
    if (m_pending.events.size() > ControlHub::kMaxEventsPerFlush)
        m_pending.events.remove(0, m_pending.events.size() - ControlHub::kMaxEventsPerFlush);
    send(d);
}

} // namespace whisper
