// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace whisper {

// Makes text from the network safe to print on a terminal: partner messages
// and notices are someone else's bytes, and a terminal obeys control
// characters. Drops C0 controls (except tab), DEL, C1 controls and whole
// escape sequences (CSI, OSC, DCS and the like), so a partner can neither
// retitle the window nor move the cursor, and shows line breaks as a
// visible "⏎", so a message stays on one line and cannot pose as the
// client's own "* partner left" or "* notice" lines.
QString terminalSafe(const QString &text);

} // namespace whisper
