// SPDX-License-Identifier: MIT
#pragma once

#include <QProcess>
#include <QTemporaryDir>

namespace whisper::test {

// A throw-away redis-server on loopback and a free port, without
// persistence. stop() and start() again reuse the port, so a client can be
// shown to reconnect to "the same" Redis after an outage. The destructor
// stops it by its PID.
class RedisProcess {
public:
    RedisProcess();
    ~RedisProcess();
    RedisProcess(const RedisProcess &) = delete;
    RedisProcess &operator=(const RedisProcess &) = delete;

    // Starts (on the port of the previous run, if any) and waits until it
    // answers PING; false with errorString() on failure.
    bool start();
    void stop();
    bool isRunning() const { return m_process.state() == QProcess::Running; }
    int port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    QString url() const;
    // Runs one command through redis-cli; its output, trimmed.
    QString cli(const QStringList &args) const;
    QString errorString() const { return m_error; }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    int m_port = 0;
    QString m_error;
};

} // namespace whisper::test
