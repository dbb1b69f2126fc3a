// SPDX-License-Identifier: MIT
#pragma once

#include "protocol.h"

#include <QString>

namespace whisper {

// What the console client prints for a protocol `error`: a plain sentence
// for a person, not the wire code ("you are already waiting for someone",
// not "conflict: already waiting"). The server's message is kept where it is
// already readable; the text is terminal-safe.
QString errorText(const protocol::Error &error);

} // namespace whisper
