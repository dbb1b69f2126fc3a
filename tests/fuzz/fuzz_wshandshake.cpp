// SPDX-License-Identifier: MIT
// The server's HTTP upgrade parser, fed raw bytes from the first byte on
// (wsdriver.h): request line, headers, the 8 KiB head limit, and whatever
// frames follow a request it accepts.
#include "wsdriver.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    whisper::fuzz::initApplication();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    whisper::fuzz::driveConnection(whisper::fuzz::view(data, size));
    return 0;
}
