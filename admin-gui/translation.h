// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

class QCoreApplication;
class QLocale;

namespace whisper::admin {

// Installs the console's translation for `language` ("de", "es_ES", ...);
// empty: the system locale. English needs none. Returns the language that
// was installed, or an empty string.
QString installTranslation(QCoreApplication &app, const QString &language = {});

// Installs Qt's own catalogue (dialog buttons and the like) for `locale`, as
// installTranslation() does with the console's; returns its language, or an
// empty string where the system has none.
QString installQtTranslation(QCoreApplication &app, const QLocale &locale);

} // namespace whisper::admin
