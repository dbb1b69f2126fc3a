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
    ~StdinReader() override;

    // Hides (false) or shows what is typed, when standard input is a
    // terminal; a pipe is left alone. Passwords are read with echo off.
    void setEcho(bool on);

Q_SIGNALS:
    void line(const QString &text);
    void finished();

private:
    void onReadable();
    QSocketNotifier m_notifier;
    QByteArray m_buffer;
    bool m_echoOff = false;
};

} // namespace whisper
