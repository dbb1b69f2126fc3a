// SPDX-License-Identifier: MIT
#include "sessiontokens.h"

#include <QByteArray>

#include <sodium.h>

namespace whisper::sessiontokens {

QString generate() {
    QByteArray bytes(32, Qt::Uninitialized);
    randombytes_buf(bytes.data(), size_t(bytes.size()));
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString hashOf(const QString &token) {
    const QByteArray text = token.toUtf8();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char *>(text.constData()),
                       quint64(text.size()));
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(digest), sizeof digest).toHex());
}

QString generateRecoveryCode() {
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i
    const quint32 n = sizeof alphabet - 1;
    QString code;
    for (int i = 0; i < 10; ++i) {
        if (i == 5)
            code += QLatin1Char('-');
        code += QLatin1Char(alphabet[randombytes_uniform(n)]);
    }
    return code;
}

QString normaliseRecoveryCode(const QString &code) {
    QString out;
    for (const QChar c : code)
        if (c.isLetterOrNumber())
            out += c.toLower();
    if (out.size() == 10)
        out.insert(5, QLatin1Char('-'));
    return out;
}

} // namespace whisper::sessiontokens
