// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QSocketNotifier>

namespace whisper {

// Reads standard input line by line without blocking the event loop.
//
// On a terminal it edits the line itself (the terminal's own line editing
// is switched off while it runs): only so can the client know that someone
// is composing a line before Enter, which a terminal in its usual mode
// never tells a program. It echoes what is typed, handles Backspace,
// Ctrl-U, Ctrl-W and Ctrl-D, ignores cursor keys, and puts the terminal
// back on exit and on SIGINT, SIGTERM, SIGHUP and SIGQUIT. From a pipe or a
// file it reads plain lines.
class StdinReader : public QObject {
    Q_OBJECT
public:
    explicit StdinReader(QObject *parent = nullptr);
    ~StdinReader() override;

    // Hides (false) or shows what is typed, when standard input is a
    // terminal; a pipe is left alone. Passwords are read with echo off.
    void setEcho(bool on);
    // The line typed so far (terminal only).
    const QByteArray &pending() const { return m_buffer; }

Q_SIGNALS:
    void line(const QString &text);
    void finished();
    // Terminal only: a line is being typed (true) or was erased (false).
    // Enter sends the line instead; no `false` comes for it.
    void composing(bool active);

private:
    void onReadable();
    void edit(char byte);
    void erase(qsizetype count);
    void echo(const QByteArray &bytes);
    void endOfInput();

    QSocketNotifier m_notifier;
    QByteArray m_buffer;
    bool m_terminal = false; // editing the line here
    bool m_hidden = false;   // a password: not echoed
    int m_escape = 0;        // 1: after ESC; 2: inside a CSI/SS3 sequence
};

} // namespace whisper
