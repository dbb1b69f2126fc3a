// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

class QCoreApplication;

namespace whisper::admin {

// Installs the console's translation for `language` ("de", "es_ES", ...);
// empty: the system locale. English needs none. Returns the language that
// was installed, or an empty string.
QString installTranslation(QCoreApplication &app, const QString &language = {});

} // namespace whisper::admin
