// SPDX-License-Identifier: MIT
#include "translation.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace whisper::client {

QString installClientTranslation(QCoreApplication &app, const QString &language) {
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto *translator = new QTranslator(&app);
    translator->setObjectName(QStringLiteral("whisperchat-client"));
    if (!translator->load(locale, QStringLiteral("whisperchat-client"), QStringLiteral("_"),
                          QStringLiteral(":/i18n"))) {
        delete translator;
        return {};
    }
    QCoreApplication::installTranslator(translator);
    return translator->language();
}

} // namespace whisper::client
