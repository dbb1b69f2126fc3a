// SPDX-License-Identifier: MIT
// The server's configuration: the INI file, the WHISPERCHAT_* environment
// and the command line, read by ConfigLoader::load exactly as at start-up.
// The input is three parts split at NUL bytes: the INI file's bytes, then
// NAME=VALUE lines for the environment, then one argument per line. Every
// input must give either a config or an error, never both.
#include "fuzzsupport.h"
#include "serverconfig.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QTemporaryDir>

using namespace whisper;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    fuzz::initApplication();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static QTemporaryDir dir;
    static quint64 counter = 0;
    const QList<QByteArrayView> parts = [&] {
        QList<QByteArrayView> out;
        QByteArrayView rest = fuzz::view(data, size);
        for (int i = 0; i < 2; ++i) {
            const qsizetype nul = rest.indexOf('\0');
            if (nul < 0)
                break;
            out << rest.first(nul);
            rest = rest.sliced(nul + 1);
        }
        out << rest;
        return out;
    }();

    // A new file each time: QSettings caches files by name and modification
    // time, and two inputs within one second would otherwise share one.
    const QString path = dir.filePath(QStringLiteral("fuzz-%1.ini").arg(++counter));
    {
        QFile file(path);
        fuzz::check(file.open(QIODevice::WriteOnly), "write the config file");
        file.write(parts.value(0).data(), parts.value(0).size());
    }
    QProcessEnvironment env;
    env.insert(QStringLiteral("WHISPERCHAT_CONFIG"), path);
    if (parts.size() > 1) {
        for (const QByteArray &line : parts.at(1).toByteArray().split('\n')) {
            const qsizetype eq = line.indexOf('=');
            if (eq > 0)
                env.insert(QString::fromUtf8(line.first(eq)),
                           QString::fromUtf8(line.sliced(eq + 1)));
        }
    }
    QStringList arguments{QStringLiteral("whisperchat-server")};
    if (parts.size() > 2) {
        for (const QByteArray &arg : parts.at(2).toByteArray().split('\n'))
            if (!arg.isEmpty())
                arguments << QString::fromUtf8(arg);
    }

    const ConfigLoadResult result = ConfigLoader::load(arguments, env);
    fuzz::check(!(result.config && !result.error.isEmpty()), "a config or an error, not both");
    if (result.config)
        ConfigLoader::summary(*result.config);
    ConfigLoader::firstPositional(arguments);
    QFile::remove(path);
    return 0;
}
