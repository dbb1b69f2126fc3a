// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

class QCoreApplication;

namespace whisper::client {

// Installs the client's translation for `language` ("de", "hi_IN", ...;
// empty: the system locale) from the .qm files built into the binary.
// Returns the installed language, or an empty string (English needs none).
QString installClientTranslation(QCoreApplication &app, const QString &language = {});

} // namespace whisper::client
