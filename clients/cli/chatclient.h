// SPDX-License-Identifier: MIT
#pragma once

#include "protocol.h"

#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QUrl>
#include <QWebSocket>

#include <optional>

namespace whisper {

// The console client's logic: joins, prints what happens, sends what the user
// types. Commands: /leave, /next, /quit.
class ChatClient : public QObject {
    Q_OBJECT
public:
    struct Options {
        QUrl url;
        std::optional<protocol::Join> join;
        bool json = false;
        int lingerMs = 0; // after end of input, before leaving
    };

    explicit ChatClient(Options options, QObject *parent = nullptr);

    void start();
    void userLine(const QString &line);
    void inputFinished();

Q_SIGNALS:
    void done(int exitCode);

private:
    void onText(const QString &frame);
    void onDisconnected();
    void handle(const protocol::ServerMessage &message);
    void sendMessage(const QString &text);
    void send(const protocol::ClientMessage &message);
    void flushQueued();
    void leaveAndQuit();
    void print(const QString &line);

    Options m_options;
    QWebSocket m_socket;
    protocol::Codec m_codec;
    QTextStream m_out;
    QStringList m_queued; // typed before a partner was there
    QString m_partner;
    bool m_paired = false;
    bool m_inputDone = false;
    bool m_quitting = false;
    int m_nextId = 1;
};

} // namespace whisper
