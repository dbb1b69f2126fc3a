// SPDX-License-Identifier: MIT
#include "translation.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace whisper::admin {

QString installQtTranslation(QCoreApplication &app, const QLocale &locale) {
    // Qt's own strings (the Cancel and Yes of every dialog box) come from the
    // system's qtbase catalogue (Debian: qt6-translations-l10n). Without it a
    // German console would still ask "Yes / No". Not every language has one
    // (Debian ships no Hindi qtbase): then Qt's strings stay English.
    auto *qt = new QTranslator(&app);
    if (!qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                  QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        delete qt;
        return {};
    }
    QCoreApplication::installTranslator(qt);
    return qt->language();
}

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
    installQtTranslation(app, locale);
    return translator->language();
}

} // namespace whisper::admin
