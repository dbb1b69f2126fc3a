// SPDX-License-Identifier: MIT
#include "controlsession.h"

#include "chatserver.h"
#include "metricsregistry.h"
#include "moderation.h"

#include <QDateTime>
#include <QLoggingCategory>

namespace whisper {

Q_LOGGING_CATEGORY(lcControl, "whisper.server.control")

using namespace control;

namespace {
QStringList permissionNames(Role role) {
    QStringList names;
    for (int p = int(Permission::ViewConsole); p <= int(kLastPermission); ++p)
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

void ControlSession::revoke(const QString &reason) {
    if (!m_identity)
        return;
    qCInfo(lcControl).noquote() << "console session of" << m_identity->username
                                << "ended:" << reason;
    // Nothing more reaches this console, not even the rest of a snapshot.
    m_identity.reset();
    m_subscribed = false;
    close(QWebSocketProtocol::CloseCodePolicyViolated, reason.left(120));
}

bool ControlSession::applyCurrent(const ControlBackend::Result<ControlIdentity> &current) {
    if (!m_identity)
        return false;
    if (const auto *failure = std::get_if<ControlFailure>(&current)) {
        // Storage trouble is not a verdict on the account: refuse this
        // command, keep the session.
        if (failure->code == ErrorCode::Unavailable)
            return true;
        revoke(failure->message);
        return false;
    }
    const ControlIdentity &now = std::get<ControlIdentity>(current);
    if (now.role != m_identity->role) {
        // The console's permission list came with the login: a new login
        // gets the new one.
        revoke(QStringLiteral("your role changed to %1; log in again").arg(toString(now.role)));
        return false;
    }
    return true;
}

void ControlSession::revalidate() {
    if (!m_identity)
        return;
    m_backend.currentIdentity(m_identity->accountId,
                              [this, alive = m_alive](ControlBackend::Result<ControlIdentity> r) {
                                  if (*alive)
                                      applyCurrent(r);
                              });
}

void ControlSession::send(const ServerMessage &message) {
    m_socket->sendTextMessage(QString::fromUtf8(Codec::encode(message)));
}

void ControlSession::fail(qint64 req, ErrorCode code, const QString &message) {
    send(Error{req, code, message});
}

void ControlSession::record(const Audit &audit, const QString &result, const QString &why) {
    AuditEntry entry{QDateTime::currentMSecsSinceEpoch(),
                     m_identity ? m_identity->accountId : 0,
                     m_identity ? m_identity->username : QString(),
                     audit.command,
                     audit.target,
                     audit.detail,
                     result,
                     Moderation::canonical(m_socket->peerAddress()).toString()};
    if (!why.isEmpty())
        entry.detail = entry.detail.isEmpty() ? why : entry.detail + QStringLiteral("; ") + why;
    m_backend.writeAudit(entry);
}

void ControlSession::finish(qint64 req, const Audit &audit, const ControlOutcome &outcome) {
    if (outcome) {
        record(audit, QStringLiteral("failed"),
               QStringLiteral("%1: %2").arg(protocol::toString(outcome->code), outcome->message));
        fail(req, outcome->code, outcome->message);
    } else {
        record(audit, QStringLiteral("ok"));
        send(Ok{req});
    }
}

void ControlSession::onText(const QString &text) {
    const auto decoded = Codec::decodeConsole(text.toUtf8());
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        fail(0, error->code, error->message);
        return;
    }
    const ConsoleMessage &message = std::get<ConsoleMessage>(decoded);
    if (m_limits.commands)
        m_limits.commands->with(typeName(message)).inc();
    if (std::holds_alternative<Login>(message)) {
        handle(std::get<Login>(message));
        return;
    }
    if (!m_identity) {
        fail(requestId(message), ErrorCode::Unauthorized, QStringLiteral("log in first"));
        return;
    }
    // The role of the login is not trusted for later commands: the account
    // may have been demoted, disabled or banned since (by another console,
    // the `user` command or another node). The answers come back in order.
    m_backend.currentIdentity(m_identity->accountId, [this, alive = m_alive, message](
                                                         ControlBackend::Result<ControlIdentity>
                                                             current) {
        if (!*alive || !m_identity)
            return;
        if (const auto *failure = std::get_if<ControlFailure>(&current);
            failure && failure->code == ErrorCode::Unavailable) {
            record(Audit{typeName(message), {}, {}}, QStringLiteral("failed"), failure->message);
            fail(requestId(message), failure->code, failure->message);
            return;
        }
        const Audit audit{typeName(message), {}, {}};
        const QString who = m_identity->username;
        if (!applyCurrent(current)) {
            // Audited under the old name: the session is gone now.
            m_backend.writeAudit(
                AuditEntry{QDateTime::currentMSecsSinceEpoch(),
                           0,
                           who,
                           audit.command,
                           {},
                           QStringLiteral("account changed since login"),
                           QStringLiteral("refused"),
                           Moderation::canonical(m_socket->peerAddress()).toString()});
            return;
        }
        dispatch(message);
    });
}

void ControlSession::dispatch(const ConsoleMessage &message) {
    std::visit([this](const auto &m) { handle(m); }, message);
}

bool ControlSession::authorize(qint64 req, Permission permission, const Audit &audit) {
    if (roleHas(m_identity->role, permission))
        return true;
    qCInfo(lcControl).noquote() << "refused" << audit.command << "for" << m_identity->username
                                << "(" << toString(m_identity->role) << ")";
    const QString why = QStringLiteral("role '%1' may not %2")
                            .arg(toString(m_identity->role), toString(permission));
    record(audit, QStringLiteral("refused"), why);
    fail(req, ErrorCode::Forbidden, why);
    return false;
}

void ControlSession::handle(const Login &m) {
    if (m_identity || m_loginPending) {
        fail(m.req, ErrorCode::Conflict, QStringLiteral("already logged in"));
        return;
    }
    m_loginPending = true;
    m_backend.authenticate(
        m.username, m.password, m.totp, m_socket->peerAddress(),
        [this, alive = m_alive, req = m.req,
         name = m.username](ControlBackend::Result<ControlIdentity> result) {
            if (!*alive)
                return;
            m_loginPending = false;
            // Failed and refused logins are audited with the name tried and
            // the console's address; the password never is.
            const Audit audit{QStringLiteral("login"), name, {}};
            const auto *identity = std::get_if<ControlIdentity>(&result);
            if (identity && !roleHas(identity->role, Permission::ViewConsole)) {
                qCInfo(lcControl).noquote()
                    << "console login refused for" << identity->username << "(role user)";
                record(audit, QStringLiteral("refused"), QStringLiteral("role user"));
                result = ControlFailure{ErrorCode::Forbidden,
                                        QStringLiteral("this account may not use the console")};
                identity = nullptr;
            } else if (!identity) {
                // Forbidden: right password, but no console for this account.
                const auto &failure = std::get<ControlFailure>(result);
                record(audit,
                       failure.code == ErrorCode::Forbidden ? QStringLiteral("refused")
                                                            : QStringLiteral("failed"),
                       protocol::toString(failure.code));
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
            record(Audit{QStringLiteral("login"), {}, {}}, QStringLiteral("ok"));
            qCInfo(lcControl).noquote()
                << "console login:" << identity->username << "as" << toString(identity->role);
            send(LoggedIn{req, identity->username, toString(identity->role),
                          permissionNames(identity->role)});
        });
}

void ControlSession::handle(const Subscribe &m) {
    const Audit audit{QStringLiteral("subscribe"), {}, {}};
    if (!authorize(m.req, Permission::ViewConsole, audit))
        return;
    record(audit, QStringLiteral("ok"));
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
    const Audit audit{QStringLiteral("kick"), m.client, {}};
    if (!authorize(m.req, Permission::KickClient, audit))
        return;
    const auto id = m_hub.clientOf(m.client);
    if (!id || !m_hub.server().kickClient(*id)) {
        finish(m.req, audit, ControlFailure{ErrorCode::NotFound, QStringLiteral("no such client")});
        return;
    }
    m_hub.addEvent(EventKind::Kicked, m.client, tr("by %1").arg(m_identity->username));
    finish(m.req, audit, std::nullopt);
}

void ControlSession::handle(const KickPair &m) {
    const Audit audit{QStringLiteral("kick_pair"), m.pair, {}};
    if (!authorize(m.req, Permission::KickClient, audit))
        return;
    const auto member = m_hub.memberOfPair(m.pair);
    if (!member || !m_hub.server().kickPairOf(*member)) {
        finish(m.req, audit, ControlFailure{ErrorCode::NotFound, QStringLiteral("no such pair")});
        return;
    }
    finish(m.req, audit, std::nullopt);
}

void ControlSession::handle(const Ban &m) {
    Audit audit{QStringLiteral("ban"), m.account.isEmpty() ? m.client : m.account,
                QStringLiteral("duration_s=%1 reason=%2").arg(m.durationS).arg(m.reason)};
    if (!m.account.isEmpty()) {
        ControlBanTarget target;
        target.account = m.account;
        banWith(m, audit, target, std::nullopt);
        return;
    }
    const std::optional<ClientId> client = m_hub.clientOf(m.client);
    if (!client) {
        if (authorize(m.req, Permission::BanTemporary, audit))
            finish(m.req, audit,
                   ControlFailure{ErrorCode::NotFound, QStringLiteral("no such client")});
        return;
    }
    if (!m_hub.isRemote(*client) || !m_hub.remoteClientLookup() ||
        !roleHas(m_identity->role, Permission::BanTemporary)) {
        banClient(m, audit, *client,
                  RemoteClient{m_backend.banScopes(*client), m_hub.server().peerAddress(*client)});
        return;
    }
    // A client of another node: its node knows its account and address.
    m_hub.remoteClientLookup()(*client, [this, alive = m_alive, m, audit,
                                         id = *client](std::optional<RemoteClient> found) {
        if (!*alive || !m_identity)
            return;
        if (!found) {
            finish(m.req, audit,
                   ControlFailure{ErrorCode::NotFound,
                                  QStringLiteral("no such client (its node did not answer)")});
            return;
        }
        banClient(m, audit, id, *found);
    });
}

void ControlSession::banClient(const Ban &m, Audit audit, ClientId client,
                               const RemoteClient &who) {
    const std::optional<QString> &account = who.scopes.account;
    ControlBanTarget banTarget;
    // Without a scope, the narrowest: the account, or a guest's connection.
    const BanScope scope = m.scope.value_or(account ? BanScope::Account : BanScope::Connection);
    // The audit row names the client together with what was banned.
    switch (scope) {
    case BanScope::Account:
        if (account)
            banTarget.account = *account;
        audit.target = QStringLiteral("%1 account %2").arg(m.client, account.value_or("-"));
        break;
    case BanScope::Connection:
        audit.target = QStringLiteral("%1 connection").arg(m.client);
        break;
    case BanScope::Address:
        banTarget.ip = Moderation::canonical(who.address);
        audit.target = QStringLiteral("%1 address %2").arg(m.client, banTarget.ip.toString());
        break;
    }
    audit.detail += QStringLiteral(" scope=") + toString(scope);
    if (scope == BanScope::Account && !account) {
        if (authorize(m.req, Permission::BanTemporary, audit))
            finish(m.req, audit,
                   ControlFailure{ErrorCode::BadRequest,
                                  QStringLiteral("this client is a guest: ban its connection "
                                                 "or its address")});
        return;
    }
    if (scope == BanScope::Address && banTarget.ip.isNull()) {
        if (authorize(m.req, Permission::BanTemporary, audit))
            finish(m.req, audit,
                   ControlFailure{ErrorCode::NotFound,
                                  QStringLiteral("the client's address is not known")});
        return;
    }
    if (scope == BanScope::Connection) {
        // Nothing is stored: the connection is closed, so no duration applies.
        if (!authorize(m.req, Permission::BanTemporary, audit))
            return;
        m_hub.server().kickClient(client);
        m_hub.addEvent(EventKind::Banned, m.client,
                       tr("connection, by %1").arg(m_identity->username));
        finish(m.req, audit, std::nullopt);
        return;
    }
    banWith(m, audit, banTarget, client);
}

void ControlSession::banWith(const Ban &m, const Audit &audit, const ControlBanTarget &banTarget,
                             std::optional<ClientId> client) {
    const Permission needed =
        m.durationS == 0 ? Permission::BanPermanent : Permission::BanTemporary;
    if (!authorize(m.req, needed, audit))
        return;
    if (!roleHas(m_identity->role, Permission::BanPermanent) &&
        m.durationS > m_limits.moderatorMaxBanS) {
        const QString why =
            QStringLiteral("a moderator may ban for at most %1 s").arg(m_limits.moderatorMaxBanS);
        record(audit, QStringLiteral("refused"), why);
        fail(m.req, ErrorCode::Forbidden, why);
        return;
    }
    const QString subject = m.account.isEmpty() ? m.client : m.account;
    m_backend.ban(
        *m_identity, banTarget, m.durationS, m.reason,
        [this, alive = m_alive, req = m.req, client, subject, audit](ControlOutcome outcome) {
            if (!*alive || !m_identity)
                return;
            if (!outcome) {
                m_hub.addEvent(EventKind::Banned, subject);
                // A banned client does not get to finish its chat.
                if (client)
                    m_hub.server().kickClient(*client);
                Q_EMIT accountsChanged();
            }
            finish(req, audit, outcome);
        });
}

void ControlSession::handle(const PreviewBan &m) {
    const Audit audit{QStringLiteral("preview_ban"), m.client, {}};
    if (!authorize(m.req, Permission::BanTemporary, audit))
        return;
    const auto client = m_hub.clientOf(m.client);
    if (!client) {
        fail(m.req, ErrorCode::NotFound, QStringLiteral("no such client"));
        return;
    }
    // A question, not an action: no audit row.
    auto answer = [this, req = m.req, id = m.client](const ControlBanScopes &scopes) {
        send(BanPreview{req, id, scopes.account.value_or(QString()), scopes.accountConnections,
                        scopes.addressConnections});
    };
    if (!m_hub.isRemote(*client) || !m_hub.remoteClientLookup()) {
        answer(m_backend.banScopes(*client));
        return;
    }
    m_hub.remoteClientLookup()(
        *client, [this, alive = m_alive, req = m.req, answer](std::optional<RemoteClient> found) {
            if (!*alive || !m_identity)
                return;
            if (found)
                answer(found->scopes);
            else
                fail(req, ErrorCode::NotFound,
                     QStringLiteral("no such client (its node did not answer)"));
        });
}

void ControlSession::handle(const ListBans &m) {
    const Audit audit{QStringLiteral("list_bans"), {}, {}};
    if (!authorize(m.req, Permission::ListBans, audit))
        return;
    record(audit, QStringLiteral("ok"));
    m_backend.listBans(
        [this, alive = m_alive, req = m.req](ControlBackend::Result<QList<BanInfo>> result) {
            if (!*alive || !m_identity)
                return;
            if (const auto *failure = std::get_if<ControlFailure>(&result))
                fail(req, failure->code, failure->message);
            else
                send(Bans{req, std::get<QList<BanInfo>>(result)});
        });
}

void ControlSession::handle(const ListAudit &m) {
    // Reading the log is logged too: who looked, with which filter.
    const Audit audit{QStringLiteral("list_audit"), m.actor,
                      m.command.isEmpty() ? QString() : QStringLiteral("command ") + m.command};
    if (!authorize(m.req, Permission::ViewAudit, audit))
        return;
    record(audit, QStringLiteral("ok"));
    m_backend.listAudit(
        m, [this, alive = m_alive, req = m.req](ControlBackend::Result<QList<AuditRow>> result) {
            if (!*alive || !m_identity)
                return;
            if (const auto *failure = std::get_if<ControlFailure>(&result))
                fail(req, failure->code, failure->message);
            else
                send(control::Audit{req, std::get<QList<AuditRow>>(result)});
        });
}

void ControlSession::handle(const Unban &m) {
    const Audit audit{QStringLiteral("unban"), m.ban, {}};
    if (!authorize(m.req, Permission::LiftBan, audit))
        return;
    m_backend.unban(*m_identity, m.ban,
                    [this, alive = m_alive, req = m.req, audit](ControlOutcome outcome) {
                        if (!*alive || !m_identity)
                            return;
                        if (!outcome)
                            Q_EMIT accountsChanged();
                        finish(req, audit, outcome);
                    });
}

void ControlSession::handle(const ListReports &m) {
    const Audit audit{QStringLiteral("list_reports"), {}, {}};
    if (!authorize(m.req, Permission::ListReports, audit))
        return;
    record(audit, QStringLiteral("ok"));
    m_backend.listReports(m.includeResolved, [this, alive = m_alive, req = m.req](
                                                 ControlBackend::Result<QList<Report>> result) {
        if (!*alive || !m_identity)
            return;
        if (const auto *failure = std::get_if<ControlFailure>(&result))
            fail(req, failure->code, failure->message);
        else
            send(Reports{req, std::get<QList<Report>>(result)});
    });
}

void ControlSession::handle(const ResolveReport &m) {
    const Audit audit{QStringLiteral("resolve_report"), m.report, m.resolution};
    if (!authorize(m.req, Permission::ResolveReports, audit))
        return;
    m_backend.resolveReport(*m_identity, m.report, m.resolution,
                            [this, alive = m_alive, req = m.req, audit](ControlOutcome outcome) {
                                if (*alive && m_identity)
                                    finish(req, audit, outcome);
                            });
}

void ControlSession::handle(const LookupAccount &m) {
    const Audit audit{QStringLiteral("lookup_account"), m.username, {}};
    if (!authorize(m.req, Permission::LookupAccount, audit))
        return;
    m_backend.lookupAccount(m.username, [this, alive = m_alive, req = m.req,
                                         audit](ControlBackend::Result<AccountInfo> result) {
        if (!*alive || !m_identity)
            return;
        if (const auto *failure = std::get_if<ControlFailure>(&result)) {
            finish(req, audit, *failure);
            return;
        }
        record(audit, QStringLiteral("ok"));
        send(Account{req, std::get<AccountInfo>(result)});
    });
}

void ControlSession::handle(const SetRole &m) {
    const Audit audit{QStringLiteral("set_role"), m.username, m.role};
    if (!authorize(m.req, Permission::SetRole, audit))
        return;
    m_backend.setRole(m.username, roleFromString(m.role).value_or(Role::User),
                      [this, alive = m_alive, req = m.req, audit](ControlOutcome outcome) {
                          if (!*alive)
                              return;
                          if (!outcome)
                              Q_EMIT accountsChanged();
                          // Demoting oneself ends this session too.
                          if (m_identity)
                              finish(req, audit, outcome);
                      });
}

void ControlSession::handle(const Broadcast &m) {
    // The audit row keeps the length, not the text of the notice.
    const Audit audit{
        QStringLiteral("broadcast"), {}, QStringLiteral("chars=%1").arg(m.text.size())};
    if (!authorize(m.req, Permission::Broadcast, audit))
        return;
    m_hub.server().broadcast(protocol::Notice{m.text, QDateTime::currentMSecsSinceEpoch()});
    finish(m.req, audit, std::nullopt);
}

void ControlSession::handle(const SetTickInterval &m) {
    const Audit audit{QStringLiteral("set_tick_interval"), {}, QString::number(m.ms)};
    if (!authorize(m.req, Permission::SetTickInterval, audit))
        return;
    m_hub.server().matchmaker().setInterval(m.ms);
    finish(m.req, audit, std::nullopt);
}

void ControlSession::handle(const Drain &m) {
    const Audit audit{QStringLiteral("drain"), {}, {}};
    if (!authorize(m.req, Permission::Drain, audit))
        return;
    qCInfo(lcControl).noquote() << "draining, requested by" << m_identity->username;
    // Answered first: the drain ends with the server, this console included.
    finish(m.req, audit, std::nullopt);
    m_hub.server().drain();
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
