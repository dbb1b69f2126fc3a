// SPDX-License-Identifier: MIT
#pragma once

#include <QMap>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace whisper::test {

// The real whisperchat-server as a child process on loopback and a free port.
// start() waits for the ready line and learns the real URLs from it; the
// destructor stops the process by its PID if a test did not. Each instance
// has its own data directory and free ports, so suites can run in parallel.
class ServerProcess {
public:
    explicit ServerProcess(QStringList extraArgs = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess &) = delete;
    ServerProcess &operator=(const ServerProcess &) = delete;

    // Path of a program built next to the server (whisperchat-cli, ...).
    static QString binary(const QString &name);

    void setEnvironment(const QProcessEnvironment &env) { m_process.setProcessEnvironment(env); }
    // Waits for the ready line. Fails also when the server does not run the
    // socket I/O threads its arguments and environment ask for (checked in
    // /proc), so a suite's io-threads variant cannot quietly test the main
    // loop instead.
    bool start(int timeoutMs = 15000);
    QUrl chatUrl() const { return m_chatUrl; }
    QUrl controlUrl() const { return m_controlUrl; }
    // The operations endpoint (/metrics, /healthz, /readyz); empty when off.
    QUrl httpUrl() const { return m_httpUrl; }
    // The server's own throw-away data directory.
    QString dataDir() const { return m_dataDir.path(); }
    qint64 pid() const { return m_process.processId(); }

    // SIGTERM, then wait for the exit; false when it did not exit in time.
    bool terminate(int timeoutMs = 5000);
    void kill();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    // Everything the server wrote to stderr (its log) so far.
    QByteArray log();
    QByteArray standardOutput() const { return m_stdout; }
    QProcess &process() { return m_process; }
    // CPU time (user + system, in clock ticks) each of the server's socket
    // I/O threads ("whisper-io-N") has used so far, by thread name, from
    // /proc. Empty when the server runs none. Growth across some traffic
    // shows the threads really carried it.
    QMap<QString, qint64> ioThreadCpuTicks() const;

private:
    bool hasExpectedIoThreads(const QStringList &args) const;

    QTemporaryDir m_dataDir;
    QProcess m_process;
    QStringList m_args;
    QByteArray m_stdout;
    QByteArray m_log;
    QUrl m_chatUrl;
    QUrl m_controlUrl;
    QUrl m_httpUrl;
};

} // namespace whisper::test
