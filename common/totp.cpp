// SPDX-License-Identifier: MIT
#include "totp.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QUrl>

namespace whisper::totp {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

quint32 pow10(int digits) {
    quint32 p = 1;
    for (int i = 0; i < digits; ++i)
        p *= 10;
    return p;
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b) {
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}
} // namespace

QString base32Encode(const QByteArray &bytes) {
    QString out;
    out.reserve((bytes.size() * 8 + 4) / 5);
    quint32 buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | quint8(c);
        bits += 8;
        while (bits >= 5) {
            out += QLatin1Char(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0)
        out += QLatin1Char(kAlphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

std::optional<QByteArray> base32Decode(const QString &text) {
    QByteArray out;
    quint32 buffer = 0;
    int bits = 0;
    for (const QChar ch : text) {
        if (ch == QLatin1Char(' ') || ch == QLatin1Char('='))
            continue;
        const char c = ch.toUpper().toLatin1();
        int value = -1;
        if (c >= 'A' && c <= 'Z')
            value = c - 'A';
        else if (c >= '2' && c <= '7')
            value = c - '2' + 26;
        if (value < 0)
            return std::nullopt;
        buffer = (buffer << 5) | quint32(value);
        bits += 5;
        if (bits >= 8) {
            out.append(char((buffer >> (bits - 8)) & 0xff));
            bits -= 8;
        }
    }
    return out;
}

QByteArray generateSecret(int bytes) {
    QByteArray secret(bytes, Qt::Uninitialized);
    for (int i = 0; i < bytes; ++i)
        secret[i] = char(QRandomGenerator::system()->bounded(256));
    return secret;
}

qint64 stepAt(qint64 unixSeconds, const Params &params) {
    return unixSeconds / params.stepSeconds;
}

QString hotp(const QByteArray &secret, quint64 counter, const Params &params) {
    QByteArray message(8, '\0');
    for (int i = 7; i >= 0; --i) {
        message[i] = char(counter & 0xff);
        counter >>= 8;
    }
    const QByteArray mac = QMessageAuthenticationCode::hash(message, secret, params.algorithm);
    // RFC 4226 5.3 dynamic truncation.
    const int offset = quint8(mac.back()) & 0x0f;
    const quint32 binary =
        (quint32(quint8(mac[offset]) & 0x7f) << 24) | (quint32(quint8(mac[offset + 1])) << 16) |
        (quint32(quint8(mac[offset + 2])) << 8) | quint32(quint8(mac[offset + 3]));
    const quint32 value = binary % pow10(params.digits);
    return QStringLiteral("%1").arg(value, params.digits, 10, QLatin1Char('0'));
}

QString codeAt(const QByteArray &secret, qint64 unixSeconds, const Params &params) {
    return hotp(secret, quint64(stepAt(unixSeconds, params)), params);
}

std::optional<qint64> verify(const QByteArray &secret, const QString &code, qint64 unixSeconds,
                             int window, const Params &params) {
    const QString trimmed = code.trimmed();
    if (trimmed.size() != params.digits || secret.isEmpty())
        return std::nullopt;
    const QByteArray given = trimmed.toLatin1();
    const qint64 now = stepAt(unixSeconds, params);
    std::optional<qint64> match;
    // Every candidate is computed and compared, match or not, so the time
    // taken does not say which step matched.
    for (qint64 step = now - window; step <= now + window; ++step) {
        if (step < 0)
            continue;
        if (constantTimeEquals(hotp(secret, quint64(step), params).toLatin1(), given) && !match)
            match = step;
    }
    return match;
}

QString provisioningUri(const QString &issuer, const QString &account, const QByteArray &secret) {
    const QString label = QString::fromLatin1(QUrl::toPercentEncoding(issuer)) + QLatin1Char(':') +
                          QString::fromLatin1(QUrl::toPercentEncoding(account));
    return QStringLiteral("otpauth://totp/%1?secret=%2&issuer=%3&algorithm=SHA1&digits=6&period=30")
        .arg(label, base32Encode(secret), QString::fromLatin1(QUrl::toPercentEncoding(issuer)));
}

} // namespace whisper::totp
