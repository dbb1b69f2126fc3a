// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace whisper::test {

// A throw-away PostgreSQL 15 cluster: initdb in a temporary directory, started
// with pg_ctl on a free loopback port, stopped and deleted by the destructor.
// PostgreSQL refuses to run as root, so when the tests run as root (CI) the
// cluster runs as the `postgres` system user through runuser.
class PgCluster {
public:
    PgCluster();
    ~PgCluster();
    PgCluster(const PgCluster &) = delete;
    PgCluster &operator=(const PgCluster &) = delete;

    // Creates and starts the cluster and a database `whisper`; false with
    // errorString() on failure.
    bool start();
    void stop();
    // postgresql://USER@127.0.0.1:PORT/whisper
    QString url() const;
    // Runs SQL through psql as the cluster's superuser; its stdout.
    QString psql(const QString &sql) const;
    QString errorString() const { return m_error; }

private:
    bool run(const QString &program, const QStringList &args, QString *output = nullptr,
             int timeoutMs = 60000) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_binDir;
    QString m_user;
    int m_port = 0;
    bool m_running = false;
    mutable QString m_error;
};

} // namespace whisper::test
