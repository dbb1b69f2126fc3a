// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QSocketNotifier>

namespace whisper {

// Reads standard input line by line without blocking the event loop.
class StdinReader : public QObject {
    Q_OBJECT
public:
    explicit StdinReader(QObject *parent = nullptr);

Q_SIGNALS:
    void line(const QString &text);
    void finished();

private:
    void onReadable();
    QSocketNotifier m_notifier;
    QByteArray m_buffer;
};

} // namespace whisper
