// SPDX-License-Identifier: MIT
#include "translation.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace whisper::admin {

QString installTranslation(QCoreApplication &app, const QString &language) {
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto *translator = new QTranslator(&app);
    // Looks for whisperchat_de_DE.qm, whisperchat_de.qm, ... in the resources.
    if (!translator->load(locale, QStringLiteral("whisperchat"), QStringLiteral("_"),
                          QStringLiteral(":/i18n"))) {
        delete translator;
        return {};
    }
    QCoreApplication::installTranslator(translator);
    return translator->language();
}

} // namespace whisper::admin
