// SPDX-License-Identifier: MIT
#include "accounts.h"

#include "ipkey.h"
#include "sessiontokens.h"
#include "totp.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QtConcurrent/QtConcurrentRun>

namespace whisper {

Q_LOGGING_CATEGORY(lcAccounts, "whisper.server.accounts")

using namespace protocol;

namespace {
const QString kInvalidCredentials = QStringLiteral("invalid username or password");
constexpr int kRecoveryCodes = 10;

template <typename T>
QFuture<T> ready(T value) {
    return QtFuture::makeReadyFuture(std::move(value));
}

QString nameKey(const QString &username) {
    return username.normalized(QString::NormalizationForm_KC).toCaseFolded();
}

Error revokedSession(const QString &ref) {
    return makeError(ErrorCode::Unauthorized,
                     QStringLiteral("this login session was revoked; log in again"), ref);
}

Error passwordRequired(const QString &ref) {
    return makeError(ErrorCode::Unauthorized,
                     QStringLiteral("changing two-factor authentication needs the current "
                                    "password (field 'password')"),
                     ref);
}

Error internalError(const QString &ref) {
    return makeError(ErrorCode::Internal, QStringLiteral("the server could not complete this"),
                     ref);
}

// What the database step of a login found, carried to the hashing step.
struct LoginLookup {
    std::optional<AccountRecord> account;
    std::optional<BanRecord> ban;
};

struct LoginChecked {
    LoginLookup lookup;
    PasswordCheck check;
    QString newHash;     // set when the stored hash used old parameters
    qint64 totpWait = 0; // the second-factor buckets' answer, when poured
};

// A proven password and the second-factor buckets' answer.
struct ProvenGuess {
    Outcome<AccountRecord> proof;
    qint64 totpWait = 0;
};

QString banMessage(const BanRecord &ban) {
    QString text = QStringLiteral("banned");
    if (ban.expiresMs)
        text +=
            QStringLiteral(" until %1")
                .arg(QDateTime::fromMSecsSinceEpoch(*ban.expiresMs, Qt::UTC).toString(Qt::ISODate));
    if (!ban.reason.isEmpty())
        text += QStringLiteral(": ") + ban.reason;
    return text;
}

// Checks a 6-digit TOTP code or a recovery code and consumes it (single use).
// Runs on the database thread.
bool consumeSecondFactor(Storage &s, const AccountRecord &a, const QString &given, qint64 nowMs) {
    const QString code = given.trimmed();
    if (code.size() == 6) {
        const auto secret = totp::base32Decode(a.totpSecret);
        if (!secret)
            return false;
        const auto step = totp::verify(*secret, code, nowMs / 1000);
        return step && s.consumeTotpStep(a.id, *step);
    }
    return s.consumeRecoveryCode(
        a.id, sessiontokens::hashOf(sessiontokens::normaliseRecoveryCode(code)), nowMs);
}
} // namespace

QString toString(Revocation reason) {
    switch (reason) {
    case Revocation::PasswordChanged:
        return QStringLiteral("password_changed");
    case Revocation::LoggedOutEverywhere:
        return QStringLiteral("logged_out_everywhere");
    case Revocation::Disabled:
        return QStringLiteral("disabled");
    case Revocation::Banned:
        return QStringLiteral("banned");
    case Revocation::Ended:
        return QStringLiteral("session_ended");
    }
    return QStringLiteral("revoked");
}

Error makeError(ErrorCode code, const QString &message, const QString &ref,
                std::optional<qint64> retryAfterMs) {
    return Error{code, message, ref, retryAfterMs};
}

Error rateLimited(const QString &ref, qint64 retryAfterMs) {
    return makeError(ErrorCode::RateLimited, QStringLiteral("too many requests; retry later"), ref,
                     retryAfterMs);
}

Accounts::Accounts(AccountSettings settings, Database &db, std::function<qint64()> clock,
                   QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_db(db)
    , m_clock(std::move(clock))
    , m_hasher(m_settings.hash, m_settings.hashThreads) {
    // Both signals may be emitted on the database thread and queued.
    qRegisterMetaType<Revocation>("whisper::Revocation");
    qRegisterMetaType<Role>("whisper::Role");
}

Accounts::~Accounts() = default;

QString Accounts::checkUsername(const QString &username) {
    static const QRegularExpression rule(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$"));
    if (!rule.match(username).hasMatch())
        return QStringLiteral("usernames are 3 to 32 characters: letters A-Z, digits, '_', '.', "
                              "'-', starting with a letter or digit");
    return {};
}

QString Accounts::checkPassword(const QString &username, const QString &password) {
    if (codePointCount(password) < 10)
        return QStringLiteral("passwords need at least 10 characters");
    if (codePointCount(password) > kMaxPasswordChars)
        return QStringLiteral("passwords are at most %1 characters").arg(kMaxPasswordChars);
    if (password.compare(username, Qt::CaseInsensitive) == 0)
        return QStringLiteral("the password must not be the username");
    return {};
}

quint64 Accounts::identityKeyOf(qint64 accountId) {
    // Hashed so account keys cannot collide with small numbers and do not
    // reveal the account id where keys are shown (reports).
    const QByteArray digest = QCryptographicHash::hash(
        QByteArray(QByteArrayLiteral("whisper-account:") + QByteArray::number(accountId)),
        QCryptographicHash::Sha256);
    quint64 key = 0;
    for (int i = 0; i < 8; ++i)
        key = (key << 8) | quint8(digest[i]);
    return key;
}

std::optional<Error> Accounts::admitHashWork(const QString &ref) {
    if (m_hashWork.loadRelaxed() >= m_settings.maxPendingHashes)
        return makeError(ErrorCode::Unavailable, QStringLiteral("server busy; retry shortly"), ref,
                         std::nullopt);
    m_hashWork.ref();
    return std::nullopt;
}

void Accounts::setAttemptLimiter(AttemptLimiter *limiter) {
    QMutexLocker lock(&m_limiterMutex);
    m_limiter = limiter ? limiter : &m_localLimiter;
}

QList<AttemptPour> Accounts::loginPours(const AccountSettings &s, Purpose purpose,
                                        const QString &username, const QHostAddress &ip,
                                        bool withIp) {
    // Staff (console) logins have buckets of their own with the same rates.
    const QString set =
        purpose == Purpose::Chat ? QStringLiteral("login:") : QStringLiteral("staff:");
    const QString name = nameKey(username);
    QList<AttemptPour> pours;
    // Per address first, so one address cannot try many accounts. The
    // lockout only hits this name from this address; the per-name total
    // comes last so a locked-out address does not drain it further.
    if (withIp)
        pours << AttemptPour{set + QStringLiteral("ip"), ipKey(ip), s.loginPerIp};
    pours << AttemptPour{set + QStringLiteral("user-ip"), name + QLatin1Char('|') + ipKey(ip),
                         s.loginPerUser}
          << AttemptPour{set + QStringLiteral("user"), name, s.loginPerAccount};
    return pours;
}

QFuture<qint64> Accounts::pourAttempt(const QList<AttemptPour> &pours, qint64 nowMs) {
    QMutexLocker lock(&m_limiterMutex);
    return m_limiter->pour(pours, nowMs);
}

void Accounts::forgetLoginAttempts(Purpose purpose, const QString &username,
                                   const QHostAddress &ip) {
    const QList<AttemptPour> pours = loginPours(m_settings, purpose, username, ip, false);
    QMutexLocker lock(&m_limiterMutex);
    m_limiter->reset(pours.front().bucket, pours.front().key);
}

QFuture<qint64> Accounts::pourTotpAttempt(bool counts, qint64 accountId, const QHostAddress &ip) {
    if (!counts)
        return ready(qint64(0));
    return pourAttempt({AttemptPour{QStringLiteral("totp:ip"), ipKey(ip), m_settings.totpPerIp},
                        AttemptPour{QStringLiteral("totp:account"), QString::number(accountId),
                                    m_settings.totpPerAccount}},
                       m_clock());
}

void Accounts::forgetTotpAttempts(qint64 accountId) {
    QMutexLocker lock(&m_limiterMutex);
    m_limiter->reset(QStringLiteral("totp:account"), QString::number(accountId));
}

void Accounts::revoke(qint64 accountId, Revocation reason, const QString &keepTokenHash) {
    qCInfo(lcAccounts) << "account" << accountId << "logins revoked:" << toString(reason);
    Q_EMIT accountRevoked(accountId, reason, keepTokenHash);
}

void Accounts::prune() {
    const qint64 now = m_clock();
    m_localLimiter.prune(now);
    {
        QMutexLocker lock(&m_limiterMutex);
        if (m_limiter != &m_localLimiter)
            m_limiter->prune(now);
    }
    m_db.run([now, idle = m_settings.sessionIdleMs](Storage &s) {
        try {
            s.pruneSessions(now, idle);
        } catch (const std::exception &e) {
            qCWarning(lcAccounts) << "pruning sessions failed:" << e.what();
        }
    });
}

QFuture<AuthResult> Accounts::registerAccount(const QString &username, const QString &password,
                                              const QHostAddress &ip) {
    const QString ref = QStringLiteral("register");
    QString problem = checkUsername(username);
    if (problem.isEmpty())
        problem = checkPassword(username, password);
    if (!problem.isEmpty())
        return ready(AuthResult{makeError(ErrorCode::BadRequest, problem, ref)});
    return pourAttempt(
               {AttemptPour{QStringLiteral("register:ip"), ipKey(ip), m_settings.registerPerIp}},
               m_clock())
        .then([this, username, password, ref](qint64 wait) {
            if (wait)
                return ready(AuthResult{rateLimited(ref, wait)});
            return createAccount(username, password, ref);
        })
        .unwrap();
}

QFuture<AuthResult> Accounts::createAccount(const QString &username, const QString &password,
                                            const QString &ref) {
    if (auto busy = admitHashWork(ref))
        return ready(AuthResult{*busy});
    const qint64 now = m_clock();
    const AccountSettings settings = m_settings;
    return releaseWhenDone(
        m_hasher.hash(password)
            .then(m_db.pool(),
                  [this, username, ref, now, settings](const QString &hash) -> AuthResult {
                      Storage &s = m_db.storage();
                      const auto id = s.createAccount(username, hash, Role::User, now);
                      if (!id)
                          return makeError(ErrorCode::Conflict, QStringLiteral("username is taken"),
                                           ref);
                      const QString token = sessiontokens::generate();
                      const QString tokenHash = sessiontokens::hashOf(token);
                      s.createSession(SessionRecord{tokenHash, *id, now, now,
                                                    now + settings.sessionLifetimeMs});
                      qCInfo(lcAccounts) << "account" << *id << "registered";
                      return AuthOk{Identity{*id, username, Role::User, tokenHash}, token};
                  })
            .onFailed([ref](const std::exception &e) -> AuthResult {
                qCWarning(lcAccounts) << "register failed:" << e.what();
                return internalError(ref);
            }));
}

QFuture<AuthResult> Accounts::login(const QString &username, const QString &password,
                                    const std::optional<QString> &totp, const QHostAddress &ip) {
    return authenticate(username, password, totp, ip, Purpose::Chat, Permission::ViewConsole);
}

QFuture<AuthResult> Accounts::verifyStaff(const QString &username, const QString &password,
                                          const std::optional<QString> &totp,
                                          const QHostAddress &ip, Permission needed) {
    return authenticate(username, password, totp, ip, Purpose::Staff, needed);
}

QFuture<AuthResult> Accounts::authenticate(const QString &username, const QString &password,
                                           const std::optional<QString> &totp,
                                           const QHostAddress &ip, Purpose purpose,
                                           Permission needed) {
    const QString ref = purpose == Purpose::Chat ? QStringLiteral("login") : QStringLiteral("auth");
    // The same buckets, the same round trip and the same answers whether
    // or not the name exists.
    return pourAttempt(loginPours(m_settings, purpose, username, ip, true), m_clock())
        .then([this, username, password, totp, ip, purpose, needed, ref](qint64 wait) {
            if (wait)
                return ready(AuthResult{rateLimited(ref, wait)});
            return checkCredentials(username, password, totp, ip, purpose, needed, ref);
        })
        .unwrap();
}

QFuture<AuthResult> Accounts::checkCredentials(const QString &username, const QString &password,
                                               const std::optional<QString> &totp,
                                               const QHostAddress &ip, Purpose purpose,
                                               Permission needed, const QString &ref) {
    if (auto busy = admitHashWork(ref))
        return ready(AuthResult{*busy});
    const qint64 now = m_clock();

    // Address bans are stored by ipKey() (IPv6: the /64).
    const QString ipText = ipKey(ip);
    const AccountSettings settings = m_settings;
    return releaseWhenDone(
        m_db.run([username, ipText, now](Storage &s) {
                LoginLookup l;
                l.account = s.accountByName(username);
                l.ban = s.activeBan(l.account ? std::optional<qint64>(l.account->id) : std::nullopt,
                                    ipText, now);
                return l;
            })
            .then(m_hasher.pool(),
                  [this, password](LoginLookup l) {
                      LoginChecked c;
                      // Unknown user: the dummy hash costs the same and fails.
                      c.check = m_hasher.verifyNow(l.account ? l.account->passwordHash : QString(),
                                                   password);
                      if (c.check.ok && c.check.needsRehash)
                          c.newHash = m_hasher.hashNow(password);
                      c.lookup = std::move(l);
                      return c;
                  })
            .then([this, totp, ip](const LoginChecked &c) {
                // A code counts as a guess only after the right password.
                const auto &a = c.lookup.account;
                const bool counts = c.check.ok && a && !a->disabled && a->totpEnabled && totp &&
                                    !totp->trimmed().isEmpty();
                return pourTotpAttempt(counts, a ? a->id : 0, ip).then([c](qint64 wait) {
                    LoginChecked out = c;
                    out.totpWait = wait;
                    return out;
                });
            })
            .unwrap()
            .then(m_db.pool(),
                  [this, ref, totp, now, purpose, needed, settings,
                   ip](LoginChecked c) -> AuthResult {
                      Storage &s = m_db.storage();
                      const auto &a = c.lookup.account;
                      if (!c.check.ok || !a || a->disabled)
                          return makeError(ErrorCode::Unauthorized, kInvalidCredentials, ref);
                      if (c.lookup.ban)
                          return makeError(ErrorCode::Forbidden, banMessage(*c.lookup.ban), ref);
                      // The password may have changed (or the account been
                      // disabled) while it was hashed: a session made now
                      // would escape that change's revocation.
                      const auto current = s.accountById(a->id);
                      if (!current || current->disabled || current->passwordHash != a->passwordHash)
                          return makeError(ErrorCode::Unauthorized, kInvalidCredentials, ref);
                      if (a->totpEnabled) {
                          if (!totp || totp->trimmed().isEmpty())
                              return makeError(ErrorCode::Unauthorized,
                                               QStringLiteral("two-factor code required"), ref);
                          if (c.totpWait)
                              return rateLimited(ref, c.totpWait);
                          if (!consumeSecondFactor(s, *a, *totp, now))
                              return makeError(ErrorCode::Unauthorized,
                                               QStringLiteral("invalid two-factor code"), ref);
                          forgetTotpAttempts(a->id);
                      }
                      if (!c.newHash.isEmpty())
                          s.setPasswordHash(a->id, c.newHash);
                      // Password and second factor were right: the guessing
                      // budget of this name from this address starts afresh.
                      forgetLoginAttempts(purpose, a->username, ip);
                      Identity id{a->id, a->username, a->role, QString()};
                      if (purpose == Purpose::Staff) {
                          if (!roleHas(a->role, needed))
                              return makeError(ErrorCode::Forbidden,
                                               QStringLiteral("this account may not do that"), ref);
                          if (settings.requireStaff2fa && !a->totpEnabled)
                              return makeError(ErrorCode::Forbidden,
                                               QStringLiteral("staff accounts need two-factor "
                                                              "authentication; enable it first"),
                                               ref);
                          return AuthOk{id, QString()};
                      }
                      const QString token = sessiontokens::generate();
                      id.tokenHash = sessiontokens::hashOf(token);
                      s.createSession(SessionRecord{id.tokenHash, a->id, now, now,
                                                    now + settings.sessionLifetimeMs});
                      qCInfo(lcAccounts) << "account" << a->id << "logged in";
                      return AuthOk{id, token};
                  })
            .onFailed([ref](const std::exception &e) -> AuthResult {
                qCWarning(lcAccounts) << "login failed:" << e.what();
                return internalError(ref);
            }));
}

QFuture<AuthResult> Accounts::resume(const QString &token, const QHostAddress &ip) {
    const QString ref = QStringLiteral("resume");
    const AttemptPour perIp{QStringLiteral("login:ip"), ipKey(ip), m_settings.loginPerIp};
    return pourAttempt({perIp}, m_clock())
        .then([this, token, ip, ref](qint64 wait) {
            if (wait)
                return ready(AuthResult{rateLimited(ref, wait)});
            return resumeSession(token, ip, ref);
        })
        .unwrap();
}

QFuture<AuthResult> Accounts::resumeSession(const QString &token, const QHostAddress &ip,
                                            const QString &ref) {
    const qint64 now = m_clock();
    const QString tokenHash = sessiontokens::hashOf(token);
    // Address bans are stored by ipKey() (IPv6: the /64).
    const QString ipText = ipKey(ip);
    const qint64 idle = m_settings.sessionIdleMs;
    return m_db
        .run([tokenHash, token, ipText, now, idle, ref](Storage &s) -> AuthResult {
            const auto session = s.touchSession(tokenHash, now, idle);
            const auto a = session ? s.accountById(session->accountId) : std::nullopt;
            if (!a || a->disabled)
                return makeError(ErrorCode::Unauthorized,
                                 QStringLiteral("invalid or expired session token"), ref);
            if (const auto ban = s.activeBan(a->id, ipText, now))
                return makeError(ErrorCode::Forbidden, banMessage(*ban), ref);
            return AuthOk{Identity{a->id, a->username, a->role, tokenHash}, token};
        })
        .onFailed([ref](const std::exception &e) -> AuthResult {
            qCWarning(lcAccounts) << "resume failed:" << e.what();
            return internalError(ref);
        });
}

QFuture<std::variant<Identity, Revocation>>
Accounts::restoreLogin(const QString &tokenHash, qint64 accountId, const QHostAddress &ip) {
    using Restored = std::variant<Identity, Revocation>;
    const qint64 now = m_clock();
    const QString ipText = ipKey(ip);
    const qint64 idle = m_settings.sessionIdleMs;
    return m_db
        .run([tokenHash, accountId, ipText, now, idle](Storage &s) -> Restored {
            const auto session = s.touchSession(tokenHash, now, idle);
            const auto a = session && session->accountId == accountId ? s.accountById(accountId)
                                                                      : std::nullopt;
            if (!a)
                return Revocation::Ended;
            if (a->disabled)
                return Revocation::Disabled;
            if (s.activeBan(a->id, ipText, now))
                return Revocation::Banned;
            return Identity{a->id, a->username, a->role, tokenHash};
        })
        .onFailed([](const std::exception &e) -> Restored {
            // The client resumes as a guest rather than keep a login that
            // could not be checked.
            qCWarning(lcAccounts) << "restoring a login failed:" << e.what();
            return Revocation::Ended;
        });
}

QFuture<void> Accounts::logout(const QString &tokenHash) {
    return m_db.run([tokenHash](Storage &s) {
        try {
            s.deleteSession(tokenHash);
        } catch (const std::exception &e) {
            qCWarning(lcAccounts) << "logout failed:" << e.what();
        }
    });
}

QFuture<void> Accounts::logoutEverywhere(qint64 accountId, const QString &keepTokenHash) {
    return m_db.run([this, accountId, keepTokenHash](Storage &s) {
        try {
            s.deleteOtherSessions(accountId, keepTokenHash);
        } catch (const std::exception &e) {
            qCWarning(lcAccounts) << "logout everywhere failed:" << e.what();
            return;
        }
        revoke(accountId, Revocation::LoggedOutEverywhere, keepTokenHash);
    });
}

QFuture<bool> Accounts::setDisabled(qint64 accountId, bool disabled) {
    return m_db.run([this, accountId, disabled](Storage &s) {
        const bool changed = s.setDisabled(accountId, disabled);
        if (changed && disabled)
            revoke(accountId, Revocation::Disabled);
        return changed;
    });
}

QFuture<QHash<QString, Accounts::StoredLogin>>
Accounts::storedLogins(const QList<Identity> &logins) {
    return m_db.run([logins](Storage &s) {
        QHash<QString, StoredLogin> out;
        for (const Identity &who : logins)
            out.insert(who.tokenHash,
                       StoredLogin{s.sessionExists(who.tokenHash), s.accountById(who.accountId)});
        return out;
    });
}

QFuture<bool> Accounts::setRole(qint64 accountId, Role role) {
    return m_db.run([this, accountId, role](Storage &s) {
        const bool changed = s.setRole(accountId, role);
        if (changed)
            Q_EMIT roleChanged(accountId, role);
        return changed;
    });
}

QFuture<Outcome<AccountRecord>> Accounts::provePassword(const Identity &who,
                                                        const QString &password,
                                                        const QHostAddress &ip,
                                                        const QString &ref) {
    using R = Outcome<AccountRecord>;
    // A wrong password here is a guess like a wrong login.
    return pourAttempt(loginPours(m_settings, Purpose::Chat, who.username, ip, false), m_clock())
        .then([this, who, password, ip, ref](qint64 wait) {
            if (wait)
                return ready(R{rateLimited(ref, wait)});
            return verifyCurrentPassword(who, password, ip, ref);
        })
        .unwrap();
}

QFuture<Outcome<AccountRecord>> Accounts::verifyCurrentPassword(const Identity &who,
                                                                const QString &password,
                                                                const QHostAddress &ip,
                                                                const QString &ref) {
    using R = Outcome<AccountRecord>;
    if (auto busy = admitHashWork(ref))
        return ready(R{*busy});
    return releaseWhenDone(
        m_db.run([who](Storage &s) -> std::optional<AccountRecord> {
                if (!who.tokenHash.isEmpty() && !s.sessionExists(who.tokenHash))
                    return std::nullopt;
                return s.accountById(who.accountId);
            })
            .then(m_hasher.pool(),
                  [this, password, ref, ip](std::optional<AccountRecord> a) -> R {
                      if (!a || a->disabled)
                          return revokedSession(ref);
                      if (!m_hasher.verifyNow(a->passwordHash, password).ok)
                          return makeError(ErrorCode::Unauthorized,
                                           QStringLiteral("the current password is wrong"), ref);
                      forgetLoginAttempts(Purpose::Chat, a->username, ip);
                      return *a;
                  })
            .onFailed([ref](const std::exception &e) -> R {
                qCWarning(lcAccounts) << ref << "failed:" << e.what();
                return internalError(ref);
            }));
}

QFuture<Outcome<PasswordChanged>> Accounts::changePassword(const Identity &who,
                                                           const QString &oldPassword,
                                                           const QString &newPassword,
                                                           const QHostAddress &ip) {
    using R = Outcome<PasswordChanged>;
    const QString ref = QStringLiteral("change_password");
    if (const QString problem = checkPassword(who.username, newPassword); !problem.isEmpty())
        return ready(R{makeError(ErrorCode::BadRequest, problem, ref)});
    return pourAttempt(loginPours(m_settings, Purpose::Chat, who.username, ip, false), m_clock())
        .then([this, who, oldPassword, newPassword, ref](qint64 wait) {
            if (wait)
                return ready(R{rateLimited(ref, wait)});
            return storeNewPassword(who, oldPassword, newPassword, ref);
        })
        .unwrap();
}

QFuture<Outcome<PasswordChanged>> Accounts::storeNewPassword(const Identity &who,
                                                             const QString &oldPassword,
                                                             const QString &newPassword,
                                                             const QString &ref) {
    using R = Outcome<PasswordChanged>;
    if (auto busy = admitHashWork(ref))
        return ready(R{*busy});
    return releaseWhenDone(
        m_db.run([who](Storage &s) -> std::optional<AccountRecord> {
                if (!who.tokenHash.isEmpty() && !s.sessionExists(who.tokenHash))
                    return std::nullopt;
                return s.accountById(who.accountId);
            })
            .then(m_hasher.pool(),
                  [this, oldPassword, newPassword](std::optional<AccountRecord> a) -> QString {
                      if (!a || !m_hasher.verifyNow(a->passwordHash, oldPassword).ok)
                          return QString();
                      return m_hasher.hashNow(newPassword);
                  })
            .then(m_db.pool(),
                  [this, who, ref](const QString &hash) -> R {
                      if (hash.isEmpty())
                          return makeError(ErrorCode::Unauthorized,
                                           QStringLiteral("the current password is wrong"), ref);
                      Storage &s = m_db.storage();
                      // Revoked while the hash was computed (another session
                      // changed the password first): this one lost its say.
                      if (!who.tokenHash.isEmpty() && !s.sessionExists(who.tokenHash))
                          return revokedSession(ref);
                      s.changePassword(who.accountId, hash, who.tokenHash);
                      qCInfo(lcAccounts) << "account" << who.accountId << "changed its password";
                      // Emitted before the reply is queued: the other
                      // connections end before this one hears `password_changed`.
                      revoke(who.accountId, Revocation::PasswordChanged, who.tokenHash);
                      return PasswordChanged{};
                  })
            .onFailed([ref](const std::exception &e) -> R {
                qCWarning(lcAccounts) << "change_password failed:" << e.what();
                return internalError(ref);
            }));
}

QFuture<Outcome<TotpEnrollment>> Accounts::enrollTotp(const Identity &who,
                                                      const std::optional<QString> &password,
                                                      const QHostAddress &ip) {
    using R = Outcome<TotpEnrollment>;
    const QString ref = QStringLiteral("totp_enroll");
    if (!password)
        return ready(R{passwordRequired(ref)});
    const QString issuer = m_settings.totpIssuer;
    return provePassword(who, *password, ip, ref)
        .then(
            m_db.pool(),
            [this, who, ref, issuer](const Outcome<AccountRecord> &proof) -> R {
                if (const auto *e = std::get_if<Error>(&proof))
                    return *e;
                Storage &s = m_db.storage();
                if (!who.tokenHash.isEmpty() && !s.sessionExists(who.tokenHash))
                    return revokedSession(ref);
                const QByteArray secret = totp::generateSecret();
                const QString encoded = totp::base32Encode(secret);
                if (!s.setTotpSecret(who.accountId, encoded))
                    return makeError(ErrorCode::Conflict,
                                     QStringLiteral("two-factor authentication is already "
                                                    "enabled"),
                                     ref);
                return TotpEnrollment{encoded, totp::provisioningUri(issuer, who.username, secret)};
            })
        .onFailed([ref](const std::exception &) -> R { return internalError(ref); });
}

QFuture<Outcome<TotpEnabled>> Accounts::enableTotp(const Identity &who, const QString &code,
                                                   const std::optional<QString> &password,
                                                   const QHostAddress &ip) {
    using R = Outcome<TotpEnabled>;
    const QString ref = QStringLiteral("totp_enable");
    if (!password)
        return ready(R{passwordRequired(ref)});
    return provePassword(who, *password, ip, ref)
        .then([this, ip](const Outcome<AccountRecord> &proof) {
            // Only a code that will be checked (enrolled, not yet enabled)
            // counts as a guess.
            const auto *a = std::get_if<AccountRecord>(&proof);
            const bool counts = a && !a->totpSecret.isEmpty() && !a->totpEnabled;
            return pourTotpAttempt(counts, a ? a->id : 0, ip).then([proof](qint64 wait) {
                return ProvenGuess{proof, wait};
            });
        })
        .unwrap()
        .then(m_db.pool(),
              [this, who, code, ref](const ProvenGuess &guess) -> R {
                  if (const auto *e = std::get_if<Error>(&guess.proof))
                      return *e;
                  Storage &s = m_db.storage();
                  const qint64 now = m_clock();
                  if (!who.tokenHash.isEmpty() && !s.sessionExists(who.tokenHash))
                      return revokedSession(ref);
                  const auto a = s.accountById(who.accountId);
                  if (!a || a->totpSecret.isEmpty())
                      return makeError(ErrorCode::Conflict,
                                       QStringLiteral("enrol first (totp_enroll)"), ref);
                  if (a->totpEnabled)
                      return makeError(ErrorCode::Conflict,
                                       QStringLiteral("two-factor authentication is already "
                                                      "enabled"),
                                       ref);
                  if (guess.totpWait)
                      return rateLimited(ref, guess.totpWait);
                  const auto step = totp::verify(
                      totp::base32Decode(a->totpSecret).value_or(QByteArray()), code, now / 1000);
                  if (!step)
                      return makeError(ErrorCode::Unauthorized,
                                       QStringLiteral("invalid two-factor code"), ref);
                  forgetTotpAttempts(a->id);
                  TotpEnabled out;
                  QList<QString> hashes;
                  for (int i = 0; i < kRecoveryCodes; ++i) {
                      out.recoveryCodes << sessiontokens::generateRecoveryCode();
                      hashes << sessiontokens::hashOf(out.recoveryCodes.back());
                  }
                  if (!s.enableTotp(a->id, *step, hashes))
                      return makeError(ErrorCode::Conflict, QStringLiteral("could not enable"),
                                       ref);
                  qCInfo(lcAccounts) << "account" << a->id << "enabled 2FA";
                  return out;
              })
        .onFailed([ref](const std::exception &) -> R { return internalError(ref); });
}

QFuture<Outcome<TotpDisabled>> Accounts::disableTotp(const Identity &who, const QString &code,
                                                     const QHostAddress &ip) {
    using R = Outcome<TotpDisabled>;
    const QString ref = QStringLiteral("totp_disable");
    return m_db
        .run([who](Storage &s) {
            // Only a code that will be checked counts as a guess.
            if (!who.tokenHash.isEmpty() && !s.sessionExists(who.tokenHash))
                return false;
            const auto a = s.accountById(who.accountId);
            return a && a->totpEnabled;
        })
        .then([this, who, ip](bool counts) { return pourTotpAttempt(counts, who.accountId, ip); })
        .unwrap()
        .then(m_db.pool(),
              [this, who, code, ref](qint64 wait) -> R {
                  Storage &s = m_db.storage();
                  const qint64 now = m_clock();
                  if (!who.tokenHash.isEmpty() && !s.sessionExists(who.tokenHash))
                      return revokedSession(ref);
                  const auto a = s.accountById(who.accountId);
                  if (!a || !a->totpEnabled)
                      return makeError(ErrorCode::Conflict,
                                       QStringLiteral("two-factor authentication is not enabled"),
                                       ref);
                  if (wait)
                      return rateLimited(ref, wait);
                  if (!consumeSecondFactor(s, *a, code, now))
                      return makeError(ErrorCode::Unauthorized,
                                       QStringLiteral("invalid two-factor code"), ref);
                  forgetTotpAttempts(a->id);
                  s.disableTotp(a->id);
                  qCInfo(lcAccounts) << "account" << a->id << "disabled 2FA";
                  return TotpDisabled{};
              })
        .onFailed([ref](const std::exception &) -> R { return internalError(ref); });
}

} // namespace whisper
