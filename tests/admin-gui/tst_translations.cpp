// SPDX-License-Identifier: MIT
// Translations: de, es and hi are complete and built into the binary; the
// console's strings come out translated for each, and English needs none.

#include "consolestate.h"
#include "controlclient.h"
#include "mainwindow.h"
#include "testpaths.h"
#include "translation.h"

#include <QApplication>
#include <QBuffer>
#include <QDialogButtonBox>
#include <QFile>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace whisper::admin;

namespace {

struct TsReport {
    int messages = 0;
    QStringList problems; // one line per message that is not translated
    QSet<QString> keys;   // "context|source" of every message
};

// Reads a Qt Linguist .ts file and names every message that is not finished:
// marked unfinished/obsolete/vanished, without a translation, with an empty
// one, or (plural messages) without plural forms or with an empty one.
TsReport checkTs(QIODevice &device) {
    TsReport report;
    QXmlStreamReader xml(&device);
    QString source;
    QString context;
    bool numerus = false;
    bool translated = false;
    auto problem = [&](const QString &what) {
        report.problems
            << QStringLiteral("message %1 (\"%2\"): %3").arg(report.messages).arg(source, what);
    };
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isEndElement() && xml.name() == QLatin1String("message") && !translated)
            problem(QStringLiteral("no translation"));
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.name() == QLatin1String("message")) {
            ++report.messages;
            numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            source.clear();
            translated = false;
        } else if (xml.name() == QLatin1String("source")) {
            source = xml.readElementText();
            report.keys.insert(context + QLatin1Char('|') + source);
        } else if (xml.name() == QLatin1String("translation")) {
            translated = true;
            const QString type = xml.attributes().value(QLatin1String("type")).toString();
            if (!type.isEmpty())
                problem(type);
            if (!numerus) {
                if (xml.readElementText().trimmed().isEmpty())
                    problem(QStringLiteral("empty"));
                continue;
            }
            int forms = 0;
            while (xml.readNextStartElement()) {
                if (xml.name() != QLatin1String("numerusform")) {
                    xml.skipCurrentElement();
                    continue;
                }
                ++forms;
                if (xml.readElementText().trimmed().isEmpty())
                    problem(QStringLiteral("plural form %1 is empty").arg(forms));
            }
            if (forms == 0)
                problem(QStringLiteral("no plural forms"));
        }
    }
    if (xml.hasError())
        report.problems << QStringLiteral("XML: %1").arg(xml.errorString());
    return report;
}

TsReport checkTs(const QByteArray &text) {
    QBuffer buffer;
    buffer.setData(text);
    buffer.open(QIODevice::ReadOnly);
    return checkTs(buffer);
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void checkerFindsGaps_data();
    void checkerFindsGaps();
    void complete_data();
    void complete();
    void builtInAndUsed_data();
    void builtInAndUsed();
    void englishNeedsNone();
    void upToDateWithTheSource_data();
    void upToDateWithTheSource();
    void qtsOwnStringsToo();
};

// The completeness check itself: each way a translation can be missing is
// reported, and a finished file is not.
void TestTranslations::checkerFindsGaps_data() {
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<bool>("complete");
    QTest::addRow("finished") << QByteArray("<message><source>Ban</source>"
                                            "<translation>Sperren</translation></message>")
                              << true;
    QTest::addRow("finished plural")
        << QByteArray("<message numerus=\"yes\"><source>%n s</source><translation>"
                      "<numerusform>%n s</numerusform><numerusform>%n s</numerusform>"
                      "</translation></message>")
        << true;
    QTest::addRow("empty, not marked unfinished")
        << QByteArray("<message><source>Ban</source><translation></translation></message>")
        << false;
    QTest::addRow("blank") << QByteArray("<message><source>Ban</source>"
                                         "<translation>  </translation></message>")
                           << false;
    QTest::addRow("self-closed") << QByteArray(
                                        "<message><source>Ban</source><translation/></message>")
                                 << false;
    QTest::addRow("no translation element")
        << QByteArray("<message><source>Ban</source></message>") << false;
    QTest::addRow("unfinished")
        << QByteArray("<message><source>Ban</source>"
                      "<translation type=\"unfinished\">Sperren</translation></message>")
        << false;
    QTest::addRow("vanished")
        << QByteArray("<message><source>Ban</source>"
                      "<translation type=\"vanished\">Sperren</translation></message>")
        << false;
    QTest::addRow("empty plural form")
        << QByteArray("<message numerus=\"yes\"><source>%n s</source><translation>"
                      "<numerusform>%n s</numerusform><numerusform></numerusform>"
                      "</translation></message>")
        << false;
    QTest::addRow("no plural forms") << QByteArray("<message numerus=\"yes\"><source>%n s</source>"
                                                   "<translation></translation></message>")
                                     << false;
}

void TestTranslations::checkerFindsGaps() {
    QFETCH(QByteArray, message);
    QFETCH(bool, complete);
    const TsReport report = checkTs("<TS version=\"2.1\" language=\"de\"><context><name>X</name>" +
                                    message + "</context></TS>");
    QCOMPARE(report.messages, 1);
    QCOMPARE(report.problems.isEmpty(), complete);
}

void TestTranslations::complete_data() {
    QTest::addColumn<QString>("language");
    for (const char *l : {"de", "es", "hi"})
        QTest::addRow("%s", l) << QString::fromLatin1(l);
}

void TestTranslations::complete() {
    QFETCH(QString, language);
    QFile file(QStringLiteral(WHISPER_SOURCE_DIR "/translations/whisperchat_%1.ts").arg(language));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const TsReport report = checkTs(file);
    QVERIFY2(report.problems.isEmpty(), qPrintable(report.problems.join(QLatin1Char('\n'))));
    QVERIFY(report.messages > 100);
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

// A string added to the console without a translation is a gap the
// completeness check cannot see in the .ts file: lupdate, run afresh over
// the sources, must find nothing the committed file lacks.
void TestTranslations::upToDateWithTheSource_data() {
    complete_data();
}

void TestTranslations::upToDateWithTheSource() {
    QFETCH(QString, language);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fresh = dir.filePath(QStringLiteral("fresh_%1.ts").arg(language));
    QProcess lupdate;
    lupdate.start(QStringLiteral(WHISPER_LUPDATE),
                  {QStringLiteral("-silent"), QStringLiteral("-no-obsolete"),
                   QStringLiteral("-locations"), QStringLiteral("none"),
                   QStringLiteral(WHISPER_SOURCE_DIR "/admin-gui"), QStringLiteral("-ts"), fresh});
    QVERIFY(lupdate.waitForFinished(60000));
    QVERIFY2(lupdate.exitCode() == 0, lupdate.readAllStandardError().constData());
    QFile freshFile(fresh);
    QVERIFY(freshFile.open(QIODevice::ReadOnly));
    const TsReport wanted = checkTs(freshFile);
    QFile committed(
        QStringLiteral(WHISPER_SOURCE_DIR "/translations/whisperchat_%1.ts").arg(language));
    QVERIFY(committed.open(QIODevice::ReadOnly));
    const TsReport have = checkTs(committed);
    QStringList missing;
    for (const QString &key : wanted.keys)
        if (!have.keys.contains(key))
            missing << key;
    QVERIFY2(wanted.messages > 100, "lupdate found no strings");
    QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("run the update_translations target "
                                                          "and translate: ") +
                                           missing.join(QLatin1String("; "))));
}

// Qt's own buttons follow the console's language where the system has Qt's
// catalogue for it (Debian's qt6-translations-l10n has de and es, not hi).
void TestTranslations::qtsOwnStringsToo() {
    QVERIFY(!installTranslation(*qApp, QStringLiteral("de")).isEmpty());
    {
        QDialogButtonBox box(QDialogButtonBox::Cancel);
        QCOMPARE(box.button(QDialogButtonBox::Cancel)->text().remove(QLatin1Char('&')),
                 QStringLiteral("Abbrechen"));
    }
    for (QTranslator *t : qApp->findChildren<QTranslator *>()) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
    QDialogButtonBox english(QDialogButtonBox::Cancel);
    QCOMPARE(english.button(QDialogButtonBox::Cancel)->text().remove(QLatin1Char('&')),
             QStringLiteral("Cancel"));
}

QTEST_MAIN(TestTranslations)

#include "tst_translations.moc"
