// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace whisper {

// Login session tokens: 256 random bits from libsodium, handed to the client
// base64url-encoded; only their SHA-256 is stored, so a database leak does not
// hand out sessions.
namespace sessiontokens {

QString generate();
// Lower-case hex SHA-256 of the token's text; also used for recovery codes.
QString hashOf(const QString &token);
// A recovery code: 10 characters in two groups ("k3f9a-7bq2c"), lower case.
QString generateRecoveryCode();
// Normalises a typed recovery code (case, spaces) before hashing.
QString normaliseRecoveryCode(const QString &code);

} // namespace sessiontokens
} // namespace whisper
