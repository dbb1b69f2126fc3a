#include "accounts.h"

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
    QString newHash; // set when the stored hash used old parameters
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
    , m_hasher(m_settings.hash, m_settings.hashThreads)
    , m_loginPerUser(m_settings.loginPerUser)
    , m_loginPerIp(m_settings.loginPerIp)
    , m_registerPerIp(m_settings.registerPerIp) {}

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

qint64 Accounts::pourLoginAttempt(const QString &username, qint64 nowMs) {
    const QString key = username.normalized(QString::NormalizationForm_KC).toCaseFolded();
    QMutexLocker lock(&m_loginPerUserMutex);
    return m_loginPerUser.tryPour(key, nowMs);
}

void Accounts::forgetLoginAttempts(const QString &username) {
    const QString key = username.normalized(QString::NormalizationForm_KC).toCaseFolded();
    QMutexLocker lock(&m_loginPerUserMutex);
    m_loginPerUser.reset(key);
}

void Accounts::prune() {
    const qint64 now = m_clock();
    {
        QMutexLocker lock(&m_loginPerUserMutex);
        m_loginPerUser.prune(now);
    }
    m_loginPerIp.prune(now);
    m_registerPerIp.prune(now);
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
    if (const qint64 wait = m_registerPerIp.tryPour(ip.toString(), m_clock()))
        return ready(AuthResult{rateLimited(ref, wait)});
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
    const qint64 now = m_clock();
    // Per IP first, so one address cannot lock many accounts; then per user
    // name, with a lockout once the bucket overflows.
    if (const qint64 wait = m_loginPerIp.tryPour(ip.toString(), now))
        return ready(AuthResult{rateLimited(ref, wait)});
    if (const qint64 wait = pourLoginAttempt(username, now))
        return ready(AuthResult{rateLimited(ref, wait)});
    if (auto busy = admitHashWork(ref))
        return ready(AuthResult{*busy});

    const QString ipText = ip.toString();
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
            .then(m_db.pool(),
                  [this, ref, totp, now, purpose, needed, settings](LoginChecked c) -> AuthResult {
                      Storage &s = m_db.storage();
                      const auto &a = c.lookup.account;
                      if (!c.check.ok || !a || a->disabled)
                          return makeError(ErrorCode::Unauthorized, kInvalidCredentials, ref);
                      if (c.lookup.ban)
                          return makeError(ErrorCode::Forbidden, banMessage(*c.lookup.ban), ref);
                      if (a->totpEnabled) {
                          if (!totp || totp->trimmed().isEmpty())
                              return makeError(ErrorCode::Unauthorized,
                                               QStringLiteral("two-factor code required"), ref);
                          if (!consumeSecondFactor(s, *a, *totp, now))
                              return makeError(ErrorCode::Unauthorized,
                                               QStringLiteral("invalid two-factor code"), ref);
                      }
                      if (!c.newHash.isEmpty())
                          s.setPasswordHash(a->id, c.newHash);
                      // Password and second factor were right: the guessing
                      // budget of this name starts afresh.
                      forgetLoginAttempts(a->username);
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
    const qint64 now = m_clock();
    if (const qint64 wait = m_loginPerIp.tryPour(ip.toString(), now))
        return ready(AuthResult{rateLimited(ref, wait)});
    const QString tokenHash = sessiontokens::hashOf(token);
    const QString ipText = ip.toString();
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

QFuture<void> Accounts::logout(const QString &tokenHash) {
    return m_db.run([tokenHash](Storage &s) {
        try {
            s.deleteSession(tokenHash);
        } catch (const std::exception &e) {
            qCWarning(lcAccounts) << "logout failed:" << e.what();
        }
    });
}

QFuture<Outcome<PasswordChanged>> Accounts::changePassword(const Identity &who,
                                                           const QString &oldPassword,
                                                           const QString &newPassword) {
    using R = Outcome<PasswordChanged>;
    const QString ref = QStringLiteral("change_password");
    if (const QString problem = checkPassword(who.username, newPassword); !problem.isEmpty())
        return ready(R{makeError(ErrorCode::BadRequest, problem, ref)});
    const qint64 now = m_clock();
    if (const qint64 wait = pourLoginAttempt(who.username, now))
        return ready(R{rateLimited(ref, wait)});
    if (auto busy = admitHashWork(ref))
        return ready(R{*busy});
    return releaseWhenDone(
        m_db.run([id = who.accountId](Storage &s) { return s.accountById(id); })
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
                      m_db.storage().changePassword(who.accountId, hash, who.tokenHash);
                      qCInfo(lcAccounts) << "account" << who.accountId << "changed its password";
                      return PasswordChanged{};
                  })
            .onFailed([ref](const std::exception &e) -> R {
                qCWarning(lcAccounts) << "change_password failed:" << e.what();
                return internalError(ref);
            }));
}

QFuture<Outcome<TotpEnrollment>> Accounts::enrollTotp(const Identity &who) {
    using R = Outcome<TotpEnrollment>;
    const QString ref = QStringLiteral("totp_enroll");
    const QString issuer = m_settings.totpIssuer;
    return m_db
        .run([who, ref, issuer](Storage &s) -> R {
            const QByteArray secret = totp::generateSecret();
            const QString encoded = totp::base32Encode(secret);
            if (!s.setTotpSecret(who.accountId, encoded))
                return makeError(ErrorCode::Conflict,
                                 QStringLiteral("two-factor authentication is already enabled"),
                                 ref);
            return TotpEnrollment{encoded, totp::provisioningUri(issuer, who.username, secret)};
        })
        .onFailed([ref](const std::exception &) -> R { return internalError(ref); });
}

QFuture<Outcome<TotpEnabled>> Accounts::enableTotp(const Identity &who, const QString &code) {
    using R = Outcome<TotpEnabled>;
    const QString ref = QStringLiteral("totp_enable");
    const qint64 now = m_clock();
    return m_db
        .run([who, code, ref, now](Storage &s) -> R {
            const auto a = s.accountById(who.accountId);
            if (!a || a->totpSecret.isEmpty())
                return makeError(ErrorCode::Conflict, QStringLiteral("enrol first (totp_enroll)"),
                                 ref);
            if (a->totpEnabled)
                return makeError(ErrorCode::Conflict,
                                 QStringLiteral("two-factor authentication is already enabled"),
                                 ref);
            const auto step = totp::verify(totp::base32Decode(a->totpSecret).value_or(QByteArray()),
                                           code, now / 1000);
            if (!step)
                return makeError(ErrorCode::Unauthorized, QStringLiteral("invalid two-factor code"),
                                 ref);
            TotpEnabled out;
            QList<QString> hashes;
            for (int i = 0; i < kRecoveryCodes; ++i) {
                out.recoveryCodes << sessiontokens::generateRecoveryCode();
                hashes << sessiontokens::hashOf(out.recoveryCodes.back());
            }
            if (!s.enableTotp(a->id, *step, hashes))
                return makeError(ErrorCode::Conflict, QStringLiteral("could not enable"), ref);
            qCInfo(lcAccounts) << "account" << a->id << "enabled 2FA";
            return out;
        })
        .onFailed([ref](const std::exception &) -> R { return internalError(ref); });
}

QFuture<Outcome<TotpDisabled>> Accounts::disableTotp(const Identity &who, const QString &code) {
    using R = Outcome<TotpDisabled>;
    const QString ref = QStringLiteral("totp_disable");
    const qint64 now = m_clock();
    return m_db
        .run([who, code, ref, now](Storage &s) -> R {
            const auto a = s.accountById(who.accountId);
            if (!a || !a->totpEnabled)
                return makeError(ErrorCode::Conflict,
                                 QStringLiteral("two-factor authentication is not enabled"), ref);
            if (!consumeSecondFactor(s, *a, code, now))
                return makeError(ErrorCode::Unauthorized, QStringLiteral("invalid two-factor code"),
                                 ref);
            s.disableTotp(a->id);
            return TotpDisabled{};
        })
        .onFailed([ref](const std::exception &) -> R { return internalError(ref); });
}

} // namespace whisper
