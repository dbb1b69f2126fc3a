// SPDX-License-Identifier: MIT
#pragma once

// Shared by the control endpoint tests: an in-memory ControlBackend and a
// console that speaks the control protocol over a real WebSocket and mirrors
// the streamed state.

#include "controlbackend.h"
#include "controlprotocol.h"

#include <QHash>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

namespace whisper::test {

class FakeControlBackend : public ControlBackend {
public:
    struct User {
        QString password;
        QString totp; // empty: no 2FA
        Role role = Role::User;
        qint64 id = 0;
        bool disabled = false;
    };

    void addUser(const QString &name, const QString &password, Role role,
                 const QString &totp = {}) {
        m_users.insert(name, User{password, totp, role, qint64(m_users.size() + 1)});
    }

    void authenticate(const QString &username, const QString &password, const QString &totp,
                      const QHostAddress &,
                      std::function<void(Result<ControlIdentity>)> done) override {
        const auto it = m_users.constFind(username);
        // Answered later, like the real backend's worker thread.
        QTimer::singleShot(0, [=, this] {
            if (it == m_users.constEnd() || it->password != password ||
                (!it->totp.isEmpty() && it->totp != totp)) {
                done(ControlFailure{control::ErrorCode::Unauthorized,
                                    QStringLiteral("wrong username, password or code")});
                return;
            }
            done(ControlIdentity{it->id, username, it->role});
        });
    }
    void currentIdentity(qint64 accountId,
                         std::function<void(Result<ControlIdentity>)> done) override {
        for (auto it = m_users.cbegin(); it != m_users.cend(); ++it)
            if (it->id == accountId && !it->disabled) {
                done(ControlIdentity{it->id, it.key(), it->role});
                return;
            }
        done(ControlFailure{control::ErrorCode::Forbidden, QStringLiteral("revoked")});
    }
    void setDisabled(const QString &name, bool disabled) { m_users[name].disabled = disabled; }
    void ban(const ControlIdentity &by, const ControlBanTarget &target, qint64 durationS,
             const QString &reason, std::function<void(ControlOutcome)> done) override {
        if (!target.account.isEmpty()) {
            const auto it = m_users.constFind(target.account);
            if (it == m_users.constEnd()) {
                done(ControlFailure{control::ErrorCode::NotFound,
                                    QStringLiteral("no such account")});
                return;
            }
            if (int(it->role) >= int(by.role)) {
                done(ControlFailure{control::ErrorCode::Forbidden, QStringLiteral("outranked")});
                return;
            }
        }
        bans.append({target.account.isEmpty() ? target.ip.toString() : target.account,
                     QString::number(durationS), reason});
        done(std::nullopt);
    }
    void listAudit(const control::ListAudit &query,
                   std::function<void(Result<QList<control::AuditRow>>)> done) override {
        QList<control::AuditRow> out;
        for (auto it = audit.crbegin(); it != audit.crend() && out.size() < query.limit; ++it)
            if ((query.actor.isEmpty() || it->actor == query.actor) &&
                (query.command.isEmpty() || it->command == query.command))
                out << control::AuditRow{it->atMs,   it->actor,  it->command, it->target,
                                         it->detail, it->result, it->source};
        done(out);
    }
    void listBans(std::function<void(Result<QList<control::BanInfo>>)> done) override {
        QList<control::BanInfo> out;
        for (int i = 0; i < bans.size(); ++i)
            out << control::BanInfo{QString::number(i + 1),
                                    bans[i].at(0),
                                    bans[i].at(2),
                                    1,
                                    bans[i].at(1) == QLatin1String("0") ? 0 : 2,
                                    {}};
        done(out);
    }
    void unban(const ControlIdentity &by, const QString &banId,
               std::function<void(ControlOutcome)> done) override {
        const int i = banId.toInt() - 1;
        if (i < 0 || i >= bans.size()) {
            done(ControlFailure{control::ErrorCode::NotFound, QStringLiteral("no such ban")});
            return;
        }
        if (bans[i].at(1) == QLatin1String("0") && !roleHas(by.role, Permission::BanPermanent)) {
            done(ControlFailure{control::ErrorCode::Forbidden, QStringLiteral("permanent")});
            return;
        }
        bans.removeAt(i);
        done(std::nullopt);
    }
    void listReports(bool, std::function<void(Result<QList<control::Report>>)> done) override {
        done(reports);
    }
    void resolveReport(const ControlIdentity &, const QString &reportId, const QString &resolution,
                       std::function<void(ControlOutcome)> done) override {
        for (auto &r : reports)
            if (r.id == reportId) {
                r.resolved = true;
                r.resolution = resolution;
                done(std::nullopt);
                return;
            }
        done(ControlFailure{control::ErrorCode::NotFound, QStringLiteral("no such report")});
    }
    void lookupAccount(const QString &username,
                       std::function<void(Result<control::AccountInfo>)> done) override {
        const auto it = m_users.constFind(username);
        if (it == m_users.constEnd()) {
            done(ControlFailure{control::ErrorCode::NotFound, QStringLiteral("no such account")});
            return;
        }
        done(control::AccountInfo{username, toString(it->role), 1, !it->totp.isEmpty(), 0});
    }
    void setRole(const QString &username, Role role,
                 std::function<void(ControlOutcome)> done) override {
        auto it = m_users.find(username);
        if (it == m_users.end()) {
            done(ControlFailure{control::ErrorCode::NotFound, QStringLiteral("no such account")});
            return;
        }
        it->role = role;
        done(std::nullopt);
    }
    void writeAudit(const AuditEntry &entry) override { audit.append(entry); }

    QList<AuditEntry> audit;
    QList<QStringList> bans;
    QList<control::Report> reports{
        control::Report{"1", "alice", "bob", "rude", 1700000000000, false, {}}};

private:
    QHash<QString, User> m_users;
};

// A console over a real socket; mirrors the streamed waiting clients and
// pairs exactly as the admin console's models do (removals first).
class TestConsole : public QObject {
public:
    TestConsole() {
        m_socket.setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            maxFrameBytes = std::max(maxFrameBytes, qint64(text.toUtf8().size()));
            const auto decoded = control::Codec::decodeServer(text.toUtf8());
            if (std::holds_alternative<control::DecodeError>(decoded)) {
                ++undecodable;
                return;
            }
            const auto message = std::get<control::ServerMessage>(decoded);
            if (const auto *page = std::get_if<control::Snapshot>(&message)) {
                if (page->page == 0) {
                    waiting.clear();
                    pairs.clear();
                }
                for (const auto &w : page->waiting)
                    waiting.insert(w.id, w);
                for (const auto &p : page->pairs)
                    pairs.insert(p.id, p);
                pages.append(*page);
                snapshotDone = page->last;
            } else if (const auto *d = std::get_if<control::Delta>(&message)) {
                for (const auto &id : d->waitingRemoved)
                    waiting.remove(id);
                for (const auto &id : d->pairsRemoved)
                    pairs.remove(id);
                for (const auto &w : d->waitingAdded)
                    waiting.insert(w.id, w);
                for (const auto &p : d->pairsAdded)
                    pairs.insert(p.id, p);
                for (const auto &m : d->pairMessages)
                    if (pairs.contains(m.id))
                        pairs[m.id].messages = m.messages;
                events.append(d->events);
                if (d->stats)
                    stats = d->stats;
                deltas.append(*d);
            }
            inbox.append(message);
        });
    }

    bool open(const QUrl &url) {
        m_socket.open(url);
        return QTest::qWaitFor([this] { return hasHello(); }, 5000);
    }
    bool hasHello() const {
        return std::any_of(inbox.cbegin(), inbox.cend(), [](const control::ServerMessage &m) {
            return std::holds_alternative<control::Hello>(m);
        });
    }
    qint64 send(control::ConsoleMessage message) {
        const qint64 req = m_nextReq++;
        std::visit([req](auto &m) { m.req = req; }, message);
        m_socket.sendTextMessage(QString::fromUtf8(control::Codec::encode(message)));
        return req;
    }
    // The answer to request `req` (ok, error, logged_in, reports, account).
    std::optional<control::ServerMessage> answer(qint64 req, int timeoutMs = 5000) {
        std::optional<control::ServerMessage> found;
        // On a timeout `found` stays empty: the caller's check says which
        // answer was missing.
        static_cast<void>(QTest::qWaitFor(
            [&] {
                for (const auto &m : inbox) {
                    const qint64 r = std::visit(
                        [](const auto &x) -> qint64 {
                            if constexpr (requires { x.req; })
                                return x.req;
                            else
                                return -1;
                        },
                        m);
                    if (r == req) {
                        found = m;
                        return true;
                    }
                }
                return false;
            },
            timeoutMs));
        return found;
    }
    bool login(const QString &user, const QString &password, const QString &totp = {}) {
        const auto a = answer(send(control::Login{0, user, password, totp}));
        return a && std::holds_alternative<control::LoggedIn>(*a);
    }
    bool subscribe() {
        const auto a = answer(send(control::Subscribe{}));
        return a && std::holds_alternative<control::Ok>(*a) &&
               QTest::qWaitFor([this] { return snapshotDone; }, 10000);
    }
    QWebSocket &socket() { return m_socket; }

    QList<control::ServerMessage> inbox;
    QHash<QString, control::WaitingClient> waiting;
    QHash<QString, control::PairInfo> pairs;
    QList<control::Snapshot> pages;
    QList<control::Delta> deltas;
    QList<control::Event> events;
    std::optional<control::Stats> stats;
    bool snapshotDone = false;
    int undecodable = 0;
    qint64 maxFrameBytes = 0;

private:
    QWebSocket m_socket;
    qint64 m_nextReq = 1;
};

} // namespace whisper::test
