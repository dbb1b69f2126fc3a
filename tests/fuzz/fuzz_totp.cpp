// SPDX-License-Identifier: MIT
// TOTP secrets and codes: base32 secrets as stored in the database and in
// otpauth URIs, and the codes users type. Decoding never fails on what
// encoding made, and verification of any code against any secret is safe.
#include "fuzzsupport.h"
#include "totp.h"

#include <cstring>

using namespace whisper;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const QByteArrayView input = fuzz::view(data, size);
    const qsizetype split = input.indexOf('\n');
    const QByteArrayView secretText = split < 0 ? input : input.first(split);
    const QByteArrayView code = split < 0 ? QByteArrayView() : input.sliced(split + 1);

    const auto secret = totp::base32Decode(QString::fromUtf8(secretText));
    if (secret) {
        const QString encoded = totp::base32Encode(*secret);
        fuzz::check(totp::base32Decode(encoded) == secret, "base32 round trip");
        qint64 now = 0;
        if (size >= 8)
            std::memcpy(&now, data + size - 8, 8);
        now &= (qint64(1) << 40) - 1; // within the next 34,000 years
        const auto step = totp::verify(*secret, QString::fromUtf8(code), now);
        if (step)
            fuzz::check(totp::codeAt(*secret, *step * 30) == QString::fromUtf8(code),
                        "an accepted code is the code of its step");
        totp::provisioningUri(QStringLiteral("WhisperChat"), QString::fromUtf8(code), *secret);
    }
    // Any bytes made into a secret and back.
    fuzz::check(totp::base32Decode(totp::base32Encode(input.toByteArray())) == input.toByteArray(),
                "bytes survive base32");
    return 0;
}
