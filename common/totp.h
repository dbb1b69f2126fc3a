// SPDX-License-Identifier: MIT
#pragma once

// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) as the
// authenticator apps implement them: HMAC-SHA1, 30 s steps, 6 digits by
// default. Pure functions; time comes in as an argument.

#include <QByteArray>
#include <QCryptographicHash>
#include <QString>

#include <optional>

namespace whisper::totp {

struct Params {
    QCryptographicHash::Algorithm algorithm = QCryptographicHash::Sha1;
    int digits = 6;
    int stepSeconds = 30;
};

// RFC 4648 base32 without padding, the form otpauth:// URIs carry.
QString base32Encode(const QByteArray &bytes);
// Accepts upper/lower case, spaces and '=' padding; nullopt on other input.
std::optional<QByteArray> base32Decode(const QString &text);

// 160 random bits from the system CSPRNG (RFC 4226 recommends >= 128).
QByteArray generateSecret(int bytes = 20);

// The time step counter for a Unix time.
qint64 stepAt(qint64 unixSeconds, const Params &params = {});
// HOTP value for a counter, zero-padded to params.digits.
QString hotp(const QByteArray &secret, quint64 counter, const Params &params = {});
QString codeAt(const QByteArray &secret, qint64 unixSeconds, const Params &params = {});

// Checks `code` against the steps now-window..now+window and returns the
// matching step, so the caller can refuse a step it has already accepted
// (single use). The comparison is constant-time per candidate.
std::optional<qint64> verify(const QByteArray &secret, const QString &code, qint64 unixSeconds,
                             int window = 1, const Params &params = {});

// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
QString provisioningUri(const QString &issuer, const QString &account, const QByteArray &secret);

} // namespace whisper::totp
