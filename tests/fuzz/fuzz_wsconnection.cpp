// SPDX-License-Identifier: MIT
// The server's frame parser (wsdriver.h): a valid upgrade request goes first,
// so every input reaches framing, masking, fragmentation, control frames,
// close handling and the size limits.
#include "wsdriver.h"

#include <QByteArray>

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    whisper::fuzz::initApplication();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    QByteArray input("GET /chat HTTP/1.1\r\nHost: fuzz\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n");
    input.append(reinterpret_cast<const char *>(data), qsizetype(size));
    whisper::fuzz::driveConnection(input);
    return 0;
}
