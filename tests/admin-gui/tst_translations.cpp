// Translations: de, es and hi are complete and built into the binary; the
// console's strings come out translated for each, and English needs none.

#include "consolestate.h"
#include "controlclient.h"
#include "mainwindow.h"
#include "translation.h"

#include <QApplication>
#include <QFile>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace whisper::admin;

class TestTranslations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void complete_data();
    void complete();
    void builtInAndUsed_data();
    void builtInAndUsed();
    void englishNeedsNone();
};

void TestTranslations::complete_data() {
    QTest::addColumn<QString>("language");
    for (const char *l : {"de", "es", "hi"})
        QTest::addRow("%s", l) << QString::fromLatin1(l);
}

void TestTranslations::complete() {
    QFETCH(QString, language);
    QFile file(QStringLiteral(WHISPER_SOURCE_DIR "/translations/whisperchat_%1.ts").arg(language));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    int messages = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("message"))
            ++messages;
        if (xml.name() == QLatin1String("translation")) {
            const QString type = xml.attributes().value(QLatin1String("type")).toString();
            QVERIFY2(type != QLatin1String("unfinished") && type != QLatin1String("obsolete"),
                     qPrintable(QStringLiteral("entry %1 is %2").arg(messages).arg(type)));
        }
        if (xml.name() == QLatin1String("translation") ||
            xml.name() == QLatin1String("numerusform")) {
            const bool numerus = xml.name() == QLatin1String("numerusform");
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (numerus || !text.trimmed().isEmpty() || text.startsWith(QLatin1Char('\n')))
                QVERIFY2(!text.isEmpty(),
                         qPrintable(QStringLiteral("entry %1 is empty").arg(messages)));
        }
    }
    QVERIFY(!xml.hasError());
    QVERIFY(messages > 100);
}

void TestTranslations::builtInAndUsed_data() {
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("title");
    QTest::addRow("de") << "de" << QStringLiteral("WhisperChat-Verwaltungskonsole");
    QTest::addRow("es") << "es_ES" << QStringLiteral("Consola de administración de WhisperChat");
    QTest::addRow("hi") << "hi_IN" << QStringLiteral("WhisperChat प्रशासन कंसोल");
}

void TestTranslations::builtInAndUsed() {
    QFETCH(QString, language);
    QFETCH(QString, title);
    const QString installed = installTranslation(*qApp, language);
    QVERIFY(!installed.isEmpty());
    {
        ControlClient client;
        ConsoleState state;
        MainWindow window(&client, &state);
        QCOMPARE(window.windowTitle(), title);
        // Plurals resolve too.
        QVERIFY(!formatDuration(120000).contains(QLatin1String("%n")));
    }
    for (QTranslator *t : qApp->findChildren<QTranslator *>()) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
}

void TestTranslations::englishNeedsNone() {
    QVERIFY(installTranslation(*qApp, QStringLiteral("en_US")).isEmpty());
    ControlClient client;
    ConsoleState state;
    MainWindow window(&client, &state);
    QCOMPARE(window.windowTitle(), QStringLiteral("WhisperChat admin console"));
}

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
