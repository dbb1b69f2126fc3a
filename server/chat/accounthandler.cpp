// SPDX-License-Identifier: MIT
#include "accounthandler.h"

#include "ipkey.h"
#include "moderation.h"
#include "pairregistry.h"
#include "servermetrics.h"
#include "session.h"
#include "tlslistener.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>

namespace whisper {

Q_LOGGING_CATEGORY(lcAccountHandler, "whisper.server.accounthandler")

using namespace protocol;

namespace {
template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
// Spelt out for clang 14 (the sanitizer build), which does not deduce
// aggregate template arguments by itself.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
} // namespace

namespace {
// How often live chat logins are compared with storage (the console's
// sessions are re-checked as often).
constexpr int kLiveLoginCheckMs = 5000;
} // namespace

void AccountHandler::followRevocations(SecurityServices &services, QObject *context) {
    SecurityServices *shared = &services;
    // Changes made outside this process (the `user` command, another node)
    // emit nothing here: the live logins are compared with storage now and
    // then, as the console's sessions are.
    auto *sweep = new QTimer(context);
    sweep->setInterval(kLiveLoginCheckMs);
    QObject::connect(sweep, &QTimer::timeout, context, [shared, context] {
        QList<Identity> logins;
        for (const AccountHandler *h : shared->live.all())
            if (h->identity())
                logins << *h->identity();
        if (logins.isEmpty())
            return;
        QSet<QString> asked;
        for (const Identity &who : std::as_const(logins))
            asked.insert(who.tokenHash);
        shared->accounts.storedLogins(logins).then(
            context, [shared, asked](const QHash<QString, Accounts::StoredLogin> &stored) {
                for (AccountHandler *h : shared->live.all()) {
                    // Logins made after the question are not judged by it.
                    if (!h->identity() || !asked.contains(h->identity()->tokenHash))
                        continue;
                    const auto it = stored.constFind(h->identity()->tokenHash);
                    if (it == stored.constEnd())
                        continue;
                    if (!it->account || it->account->disabled)
                        h->revoke(Revocation::Disabled, {});
                    else if (!it->sessionAlive)
                        h->revoke(Revocation::LoggedOutEverywhere, {});
                    else if (it->account->role != h->identity()->role)
                        h->changeRole(it->account->role);
                }
            });
    });
    sweep->start();
    QObject::connect(&services.accounts, &Accounts::accountRevoked, context,
                     [shared](qint64 accountId, Revocation reason, const QString &keep) {
                         for (AccountHandler *h : shared->live.of(accountId))
                             h->revoke(reason, keep);
                     });
    QObject::connect(&services.accounts, &Accounts::roleChanged, context,
                     [shared](qint64 accountId, Role role) {
                         for (AccountHandler *h : shared->live.of(accountId))
                             h->changeRole(role);
                     });
}

AccountHandler::AccountHandler(Session &session, SecurityServices &services, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_services(services)
    , m_ip(session.connection().peerAddress())
    , m_messages(services.rates.messagesPerConnection)
    , m_joins(services.rates.joinsPerConnection)
    , m_accountRequests(services.rates.accountRequestsPerConnection)
    , m_reports(services.rates.reportsPerConnection)
    , m_malformed(services.rates.malformedPerConnection) {
    m_ip = Moderation::canonical(m_ip);
    m_exempt = services.rates.isExempt(m_ip);
    m_services.moderation.attach(this);
}

QObject *AccountHandler::anchor() const {
    return &m_services.moderation;
}

AccountHandler::~AccountHandler() {
    if (m_identity)
        m_services.live.remove(m_identity->accountId, this);
    m_services.moderation.detach(this);
}

bool AccountHandler::admitMalformed() {
    return m_revoked || admit(m_malformed, QString());
}

void AccountHandler::dropIdentity() {
    if (m_identity)
        m_services.live.remove(m_identity->accountId, this);
    m_identity.reset();
    m_blocks.clear();
    m_session.setIdentityKey(QRandomGenerator::system()->generate64());
}

void AccountHandler::revoke(Revocation reason, const QString &keepTokenHash) {
    if (!m_identity || m_revoked)
        return;
    if (!keepTokenHash.isEmpty() && m_identity->tokenHash == keepTokenHash)
        return;
    qCInfo(lcAccountHandler) << "session" << m_session.id() << "login revoked:" << toString(reason);
    dropIdentity();
    endLogin(reason);
}

void AccountHandler::endLogin(Revocation reason) {
    // Ignore whatever the client still sends while the close completes: a
    // stolen connection must not get one more request in.
    m_revoked = true;
    reply(LoggedOut{toString(reason)});
    m_session.leavePair(LeftReason::Disconnected);
    m_session.close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("session revoked"));
}

void AccountHandler::restoreLogin(qint64 accountId, const QString &tokenHash,
                                  std::function<void(std::optional<Revocation>)> done) {
    m_authInFlight = true;
    QPointer<AccountHandler> self(this);
    m_services.accounts.restoreLogin(tokenHash, accountId, m_ip)
        .then(anchor(), [self, done](const std::variant<Identity, Revocation> &restored) {
            if (!self)
                return;
            if (const auto *reason = std::get_if<Revocation>(&restored)) {
                self->m_authInFlight = false;
                qCInfo(lcAccountHandler)
                    << "session" << self->m_session.id()
                    << "resumed; its login ended meanwhile:" << toString(*reason);
                done(*reason);
                return;
            }
            const Identity identity = std::get<Identity>(restored);
            self->m_services.moderation.blocksOf(identity.accountId)
                .then(self->anchor(), [self, identity, done](const QList<quint64> &keys) {
                    if (!self)
                        return;
                    self->m_authInFlight = false;
                    self->applyIdentity(identity, keys);
                    done(std::nullopt);
                });
        });
}

void AccountHandler::changeRole(Role role) {
    if (m_identity)
        m_identity->role = role;
}

void AccountHandler::reply(const ServerMessage &message) {
    m_session.send(message);
}

void AccountHandler::fail(ErrorCode code, const QString &message, const QString &ref) {
    reply(makeError(code, message, ref));
}

void AccountHandler::admitConnection() {
    // The TLS listener refuses such Origins in the handshake already; the
    // plain transports have no hook before it, so the refusal comes first
    // thing after it.
    if (!isOriginAllowed(m_services.allowedOrigins, m_session.connection().origin())) {
        fail(ErrorCode::Forbidden, QStringLiteral("origin not allowed"), QString());
        m_session.close(QWebSocketProtocol::CloseCodePolicyViolated,
                        QStringLiteral("origin not allowed"));
        return;
    }
    const qint64 now = m_services.clock();
    const qint64 wait = m_exempt ? 0 : m_services.connectPerIp.tryPour(ipKey(m_ip), now);
    if (wait) {
        if (m_services.metrics)
            m_services.metrics->limited(QStringLiteral("connect"));
        reply(rateLimited(QString(), wait));
        m_session.close(QWebSocketProtocol::CloseCodePolicyViolated,
                        QStringLiteral("too many connections"));
        return;
    }
    if (const auto ban = m_services.moderation.activeBan(std::nullopt, m_ip)) {
        fail(ErrorCode::Forbidden, QStringLiteral("this address is banned"), QString());
        m_session.close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("banned"));
    }
}

bool AccountHandler::admit(LeakyBucket &bucket, const QString &ref) {
    return admitAfter(m_exempt ? 0 : bucket.tryPour(m_services.clock()), ref);
}

bool AccountHandler::admitJoin(const QString &ref) {
    if (m_exempt)
        return admitAfter(0, ref);
    const qint64 now = m_services.clock();
    qint64 wait = m_joins.tryPour(now);
    if (wait == 0)
        wait = m_services.joinsPerIp.tryPour(ipKey(m_ip), now);
    if (wait == 0 && m_identity)
        wait = m_services.joinsPerAccount.tryPour(QString::number(m_identity->accountId), now);
    return admitAfter(wait, ref);
}

bool AccountHandler::admitAfter(qint64 wait, const QString &ref) {
    if (wait == 0) {
        m_strikes = 0;
        return true;
    }
    if (m_services.metrics)
        m_services.metrics->limited(ref);
    reply(rateLimited(ref, wait));
    if (++m_strikes >= m_services.rates.abuseStrikes) {
        qCInfo(lcAccountHandler) << "session" << m_session.id()
                                 << "kept exceeding its rate; closing";
        m_session.close(QWebSocketProtocol::CloseCodePolicyViolated,
                        QStringLiteral("rate limit exceeded repeatedly"));
    }
    return false;
}

bool AccountHandler::refuseIfBanned(const QString &ref) {
    const auto ban = m_services.moderation.activeBan(
        m_identity ? std::optional<qint64>(m_identity->accountId) : std::nullopt, m_ip);
    if (!ban)
        return false;
    fail(ErrorCode::Forbidden, QStringLiteral("banned"), ref);
    return true;
}

bool AccountHandler::intercept(const ClientMessage &message) {
    if (m_revoked)
        return true;
    // Every request type goes through a bucket: the chat ones below, the
    // account ones here, block/report in theirs.
    const bool isChat =
        std::holds_alternative<Join>(message) || std::holds_alternative<SendMessage>(message) ||
        std::holds_alternative<Typing>(message) || std::holds_alternative<Leave>(message);
    const bool isModeration =
        std::holds_alternative<Block>(message) || std::holds_alternative<Report>(message);
    if (!isChat && !admit(isModeration ? m_reports : m_accountRequests, typeName(message)))
        return true;
    return std::visit(
        Overloaded{
            [this](const Join &) {
                const QString ref = QStringLiteral("join");
                if (!admitJoin(ref))
                    return true;
                if (m_services.requireLogin && !m_identity) {
                    fail(ErrorCode::Unauthorized,
                         QStringLiteral("this server requires an account: log in first"), ref);
                    return true;
                }
                return refuseIfBanned(ref);
            },
            [this](const SendMessage &) { return !admit(m_messages, QStringLiteral("message")); },
            [this](const Typing &) { return !admit(m_messages, QStringLiteral("typing")); },
            [](const Leave &) { return false; },
            // Its bucket was m_accountRequests above; the session does it.
            [](const ResumeSession &) { return false; },
            [this](const Register &m) {
                onRegister(m);
                return true;
            },
            [this](const Login &m) {
                onLogin(m);
                return true;
            },
            [this](const Resume &m) {
                onResume(m);
                return true;
            },
            [this](const Logout &m) {
                onLogout(m);
                return true;
            },
            [this](const ChangePassword &m) {
                if (const Identity *who = identityFor(QStringLiteral("change_password")))
                    replyWhenReady(m_services.accounts.changePassword(*who, m.oldPassword,
                                                                      m.newPassword, m_ip));
                return true;
            },
            [this](const TotpEnroll &m) {
                if (const Identity *who = identityFor(QStringLiteral("totp_enroll")))
                    replyWhenReady(m_services.accounts.enrollTotp(*who, m.password, m_ip));
                return true;
            },
            [this](const TotpEnable &m) {
                if (const Identity *who = identityFor(QStringLiteral("totp_enable")))
                    replyWhenReady(m_services.accounts.enableTotp(*who, m.code, m.password, m_ip));
                return true;
            },
            [this](const TotpDisable &m) {
                if (const Identity *who = identityFor(QStringLiteral("totp_disable")))
                    replyWhenReady(m_services.accounts.disableTotp(*who, m.code, m_ip));
                return true;
            },
            [this](const Block &) {
                onBlock();
                return true;
            },
            [this](const Report &m) {
                onReport(m);
                return true;
            },
        },
        message);
}

const Identity *AccountHandler::identityFor(const QString &ref) {
    if (!m_identity) {
        fail(ErrorCode::Unauthorized, QStringLiteral("log in first"), ref);
        return nullptr;
    }
    return &*m_identity;
}

bool AccountHandler::startAuth(const QString &ref) {
    if (m_authInFlight) {
        fail(ErrorCode::Conflict, QStringLiteral("another login request is in progress"), ref);
        return false;
    }
    if (m_identity) {
        fail(ErrorCode::Conflict, QStringLiteral("already logged in; log out first"), ref);
        return false;
    }
    // The matchmaking identity changes with the login: not while waiting or
    // chatting under the old one.
    if (m_session.state() == Session::State::Waiting ||
        m_session.state() == Session::State::Paired) {
        fail(ErrorCode::Conflict, QStringLiteral("leave before logging in"), ref);
        return false;
    }
    m_authInFlight = true;
    return true;
}

void AccountHandler::finishAuth(const AuthResult &result) {
    if (const auto *error = std::get_if<Error>(&result)) {
        m_authInFlight = false;
        reply(*error);
        return;
    }
    // `authenticated` promises that the next join applies this account's
    // blocks, and a client may join the moment it reads it: so the stored
    // blocks load first, and the login counts as in flight until they have.
    const AuthOk ok = std::get<AuthOk>(result);
    QPointer<AccountHandler> self(this);
    m_services.moderation.blocksOf(ok.identity.accountId)
        .then(anchor(), [self, ok](const QList<quint64> &keys) {
            if (self)
                self->completeAuth(ok, keys);
        });
}

void AccountHandler::completeAuth(const AuthOk &ok, const QList<quint64> &blockedKeys) {
    m_authInFlight = false;
    if (m_session.state() == Session::State::Closed)
        return;
    applyIdentity(ok.identity, blockedKeys);
    reply(Authenticated{ok.identity.username, toString(ok.identity.role), ok.token});
}

void AccountHandler::applyIdentity(const Identity &identity, const QList<quint64> &blockedKeys) {
    m_identity = identity;
    m_services.live.add(identity.accountId, this);
    m_session.setIdentityKey(Accounts::identityKeyOf(identity.accountId));
    for (const quint64 key : blockedKeys)
        m_blocks.push_back(Exclusion{key});
}

void AccountHandler::onRegister(const Register &m) {
    if (!startAuth(QStringLiteral("register")))
        return;
    QPointer<AccountHandler> self(this);
    m_services.accounts.registerAccount(m.username, m.password, m_ip)
        .then(anchor(), [self, metrics = m_services.metrics](const AuthResult &r) {
            ServerMetrics::authResult(metrics, true, std::get_if<Error>(&r));
            if (self)
                self->finishAuth(r);
        });
}

void AccountHandler::onLogin(const Login &m) {
    if (!startAuth(QStringLiteral("login")))
        return;
    QPointer<AccountHandler> self(this);
    m_services.accounts.login(m.username, m.password, m.totp, m_ip)
        .then(anchor(), [self, metrics = m_services.metrics](const AuthResult &r) {
            ServerMetrics::authResult(metrics, false, std::get_if<Error>(&r));
            if (self)
                self->finishAuth(r);
        });
}

void AccountHandler::onResume(const Resume &m) {
    if (!startAuth(QStringLiteral("resume")))
        return;
    QPointer<AccountHandler> self(this);
    m_services.accounts.resume(m.token, m_ip).then(anchor(), [self](const AuthResult &r) {
        if (self)
            self->finishAuth(r);
    });
}

void AccountHandler::onLogout(const Logout &m) {
    const QString ref = QStringLiteral("logout");
    if (!m_identity) {
        fail(ErrorCode::Conflict, QStringLiteral("not logged in"), ref);
        return;
    }
    if (m_session.state() == Session::State::Waiting ||
        m_session.state() == Session::State::Paired) {
        fail(ErrorCode::Conflict, QStringLiteral("leave before logging out"), ref);
        return;
    }
    const Identity who = *m_identity;
    // Out of the registry first: the revocation below is for the others.
    dropIdentity();
    reply(LoggedOut{});
    if (m.everywhere)
        m_services.accounts.logoutEverywhere(who.accountId);
    else
        m_services.accounts.logout(who.tokenHash);
}

void AccountHandler::rememberPartner() {
    const auto pair = m_session.currentPair();
    if (!pair)
        return;
    Partner p;
    p.pairId = pair->id;
    p.identityKey = pair->a == m_session.id() ? pair->identityKeyB : pair->identityKeyA;
    if (AccountHandler *other = m_services.moderation.handlerOf(pair->partnerOf(m_session.id()))) {
        if (other->identity())
            p.accountId = other->identity()->accountId;
        p.ip = other->ip().toString();
    }
    m_partner = p;
}

void AccountHandler::onBlock() {
    const QString ref = QStringLiteral("block");
    if (!m_partner) {
        fail(ErrorCode::Conflict, QStringLiteral("nobody to block: not paired yet"), ref);
        return;
    }
    // A repeat stores nothing (the pair has ended already).
    if (!m_partner->blocked) {
        m_partner->blocked = true;
        m_blocks.push_back(Exclusion{m_partner->identityKey});
        if (m_identity)
            m_services.moderation.recordBlock(m_identity->accountId, m_partner->identityKey);
    }
    // Still paired: the pair ends now; otherwise it already has.
    m_session.leavePair(LeftReason::Blocked);
    reply(Blocked{});
}

void AccountHandler::onReport(const Report &m) {
    const QString ref = QStringLiteral("report");
    if (!m_partner) {
        fail(ErrorCode::Conflict, QStringLiteral("nobody to report: not paired yet"), ref);
        return;
    }
    // One report per partner and connection; a repeat is answered the same
    // but stored no more (the database keeps one per pair as well).
    if (m_partner->reported) {
        reply(Reported{});
        return;
    }
    m_partner->reported = true;
    ReportRecord r;
    r.reporterKey = QString::number(m_session.identityKey());
    if (m_identity)
        r.reporterAccountId = m_identity->accountId;
    r.reportedKey = QString::number(m_partner->identityKey);
    r.reportedAccountId = m_partner->accountId;
    r.reportedIp = m_partner->ip;
    r.pairId = m_partner->pairId;
    r.reason = m.reason;
    r.createdMs = m_services.clock();
    QPointer<AccountHandler> self(this);
    m_services.moderation.recordReport(r)
        .then(anchor(),
              [self](qint64) {
                  if (self)
                      self->reply(Reported{});
              })
        .onFailed(anchor(), [self, ref] {
            if (self)
                self->fail(ErrorCode::Internal, QStringLiteral("could not store the report"), ref);
        });
}

} // namespace whisper
