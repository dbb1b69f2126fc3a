// SPDX-License-Identifier: MIT
// Qt Quick Test entry point for the QML client. The setup object starts one
// real whisperchat-server for every test file and offers the QML tests what
// QML cannot do itself: the server URL, language switching, .ts checks and
// saving screenshots.

#include "controlclient.h"
#include "serverprocess.h"
#include "testpaths.h"
#include "totp.h"
#include "translation.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QQmlEngine>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTranslator>
#include <QUrlQuery>
#include <QXmlStreamReader>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(WhisperChat_ClientPlugin)

namespace whisper::test {

class QmlTestSupport : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString serverUrl READ serverUrl CONSTANT)
    Q_PROPERTY(QString buildDir READ buildDir CONSTANT)
public:
    explicit QmlTestSupport(QObject *parent = nullptr)
        : QObject(parent) {}

    QString serverUrl() const { return m_server ? m_server->chatUrl().toString() : QString(); }
    QString buildDir() const { return QStringLiteral(WHISPER_BUILD_DIR); }

    // Switches the client's language ("" = English) and retranslates every
    // qsTr() binding.
    Q_INVOKABLE bool setLanguage(const QString &language) {
        // The application is a QGuiApplication; qApp, which means
        // QApplication once QtWidgets' headers are in, would be a bad cast.
        QCoreApplication &app = *QCoreApplication::instance();
        for (QTranslator *t : app.findChildren<QTranslator *>()) {
            QCoreApplication::removeTranslator(t);
            delete t;
        }
        bool ok = true;
        if (!language.isEmpty())
            ok = !client::installClientTranslation(app, language).isEmpty();
        if (m_engine)
            m_engine->retranslate();
        return ok;
    }

    // Every message of translations/whisperchat-client_<language>.ts that
    // is not finished: unfinished, vanished, obsolete, empty or without a
    // translation. Empty list: complete.
    Q_INVOKABLE QStringList untranslated(const QString &language) const {
        QFile file(QStringLiteral(WHISPER_SOURCE_DIR "/translations/whisperchat-client_%1.ts")
                       .arg(language));
        if (!file.open(QIODevice::ReadOnly))
            return {QStringLiteral("cannot open ") + file.fileName()};
        QStringList problems;
        QXmlStreamReader xml(&file);
        QString source;
        bool translated = false;
        int messages = 0;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isEndElement() && xml.name() == QLatin1String("message") && !translated)
                problems << source;
            if (!xml.isStartElement())
                continue;
            if (xml.name() == QLatin1String("message")) {
                ++messages;
                translated = false;
            } else if (xml.name() == QLatin1String("source")) {
                source = xml.readElementText();
            } else if (xml.name() == QLatin1String("translation")) {
                const bool marked = xml.attributes().hasAttribute(QLatin1String("type"));
                QString text;
                // Plural messages hold <numerusform>s; any empty one is a gap.
                bool emptyForm = false;
                while (!xml.atEnd()) {
                    xml.readNext();
                    if (xml.isEndElement() && xml.name() == QLatin1String("translation"))
                        break;
                    if (xml.isCharacters()) {
                        text += xml.text();
                    } else if (xml.isStartElement() && xml.name() == QLatin1String("numerusform")) {
                        const QString form = xml.readElementText();
                        emptyForm = emptyForm || form.trimmed().isEmpty();
                        text += form;
                    }
                }
                translated = !marked && !emptyForm && !text.trimmed().isEmpty();
            }
        }
        if (xml.hasError())
            problems << xml.errorString();
        if (messages < 50)
            problems << QStringLiteral("only %1 messages").arg(messages);
        return problems;
    }

    // The current code for the secret of an otpauth:// URI, as an
    // authenticator app would show it.
    // `offsetSeconds` picks another 30-second step (the server accepts the
    // next one, and each step only once).
    Q_INVOKABLE QString totpCode(const QString &otpauthUri, int offsetSeconds = 0) const {
        const QString secret = QUrlQuery(QUrl(otpauthUri)).queryItemValue(QStringLiteral("secret"));
        const auto bytes = totp::base32Decode(secret);
        return bytes ? totp::codeAt(*bytes, QDateTime::currentSecsSinceEpoch() + offsetSeconds)
                     : QString();
    }

    // An operator's notice to every client, sent from the admin console's
    // control client once it is logged in.
    Q_INVOKABLE void broadcast(const QString &text) {
        if (!m_control) {
            m_control = std::make_unique<admin::ControlClient>();
            m_control->connectToServer({m_server->controlUrl(),
                                        QString::fromLatin1(kAdmin),
                                        QString::fromLatin1(kAdminPassword),
                                        {}});
        }
        if (m_control->state() == admin::ControlClient::State::Online) {
            m_control->broadcast(text);
            return;
        }
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = connect(m_control.get(), &admin::ControlClient::stateChanged, this,
                        [this, text, once](admin::ControlClient::State state) {
                            if (state != admin::ControlClient::State::Online)
                                return;
                            disconnect(*once);
                            m_control->broadcast(text);
                        });
    }

    // Saves a grabbed image (ItemGrabResult.image) under the build directory.
    Q_INVOKABLE bool saveImage(const QVariant &image, const QString &name) const {
        const QImage img = image.value<QImage>();
        if (img.isNull())
            return false;
        QDir().mkpath(buildDir() + QStringLiteral("/screenshots"));
        return img.save(buildDir() + QStringLiteral("/screenshots/") + name);
    }

public Q_SLOTS:
    void applicationAvailable() {
        // Remembered settings go to a throw-away place, not the user's home.
        QStandardPaths::setTestModeEnabled(true);
        QSettings(QStringLiteral("WhisperChat"), QStringLiteral("whisperchat-client")).clear();
        // An admin account for broadcasts, made the way an operator does it;
        // cheap password hashing keeps the account tests fast.
        const QStringList hashing{QStringLiteral("--data-dir"),       m_dataDir.path(),
                                  QStringLiteral("--argon2-ops"),     QStringLiteral("1"),
                                  QStringLiteral("--argon2-mem-kib"), QStringLiteral("256")};
        QProcess user;
        user.start(ServerProcess::binary(QStringLiteral("whisperchat-server")),
                   QStringList{QStringLiteral("user"), QStringLiteral("add"),
                               QString::fromLatin1(kAdmin), QStringLiteral("--role"),
                               QStringLiteral("admin"), QStringLiteral("--password-stdin")} +
                       hashing);
        user.waitForStarted();
        user.write(QByteArray(kAdminPassword) + '\n');
        user.closeWriteChannel();
        if (!user.waitForFinished(30000) || user.exitCode() != 0)
            qFatal("cannot add the admin account: %s", user.readAllStandardError().constData());
        m_server = std::make_unique<ServerProcess>(
            hashing + QStringList{QStringLiteral("--recent-partner-exclusion-s"),
                                  QStringLiteral("0"), QStringLiteral("--tick-ms"),
                                  QStringLiteral("50")});
        if (!m_server->start())
            qFatal("whisperchat-server did not start: %s", m_server->log().constData());
        qmlRegisterSingletonInstance("WhisperChat.Test", 1, 0, "TestSupport", this);
    }
    void qmlEngineAvailable(QQmlEngine *engine) {
        m_engine = engine;
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    }
    void cleanupTestCase() {
        m_control.reset();
        if (m_server)
            m_server->terminate();
    }

private:
    static constexpr char kAdmin[] = "qml-test-admin";
    static constexpr char kAdminPassword[] = "notices for everyone";
    QTemporaryDir m_dataDir;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<admin::ControlClient> m_control;
    QQmlEngine *m_engine = nullptr;
};

} // namespace whisper::test

QUICK_TEST_MAIN_WITH_SETUP(qmlclient, whisper::test::QmlTestSupport)

#include "tst_qmlclient.moc"
