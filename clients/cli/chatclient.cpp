// SPDX-License-Identifier: MIT
#include "chatclient.h"

#include "terminaltext.h"

#include <QTimer>

#include <cstdio>

namespace whisper {

using namespace protocol;

ChatClient::ChatClient(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_out(stdout) {
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ChatClient::onText);
    connect(&m_socket, &QWebSocket::disconnected, this, &ChatClient::onDisconnected);
}

void ChatClient::start() {
    m_socket.open(m_options.url);
}

void ChatClient::print(const QString &line) {
    m_out << line << Qt::endl;
}

void ChatClient::send(const ClientMessage &message) {
    m_socket.sendTextMessage(QString::fromUtf8(Codec::encode(message)));
}

void ChatClient::userLine(const QString &line) {
    const QString trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return;
    if (trimmed == QLatin1String("/quit")) {
        leaveAndQuit();
    } else if (trimmed == QLatin1String("/leave")) {
        m_queued.clear();
        send(Leave{});
    } else if (trimmed == QLatin1String("/next")) {
        m_queued.clear();
        if (m_paired)
            send(Leave{});
        if (m_options.join)
            send(*m_options.join);
    } else if (trimmed.startsWith(QLatin1Char('/')) && !trimmed.startsWith(QLatin1String("//"))) {
        print(QStringLiteral("! unknown command %1 (try /leave, /next, /quit)").arg(trimmed));
    } else {
        // "//text" sends "/text".
        sendMessage(trimmed.startsWith(QLatin1String("//")) ? line.mid(line.indexOf(u'/') + 1)
                                                            : line);
    }
}

void ChatClient::sendMessage(const QString &text) {
    if (!m_paired) {
        m_queued << text;
        return;
    }
    send(SendMessage{text, QString::number(m_nextId++)});
}

void ChatClient::flushQueued() {
    const QStringList queued = std::exchange(m_queued, {});
    for (const QString &text : queued)
        sendMessage(text);
    if (m_inputDone)
        QTimer::singleShot(m_options.lingerMs, this, &ChatClient::leaveAndQuit);
}

void ChatClient::inputFinished() {
    m_inputDone = true;
    if (m_paired)
        flushQueued();
}

void ChatClient::leaveAndQuit() {
    if (m_quitting)
        return;
    m_quitting = true;
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        Q_EMIT done(0);
        return;
    }
    if (m_paired)
        send(Leave{});
    m_socket.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("bye"));
}

void ChatClient::onText(const QString &frame) {
    if (m_options.json) {
        print(frame);
        std::fflush(stdout);
    }
    const auto decoded = m_codec.decodeServer(frame.toUtf8());
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        if (!m_options.json)
            print(QStringLiteral("! unreadable frame from server: %1").arg(error->message));
        return;
    }
    handle(std::get<ServerMessage>(decoded));
}

void ChatClient::handle(const ServerMessage &message) {
    const bool human = !m_options.json;
    if (const auto *welcome = std::get_if<Welcome>(&message)) {
        if (human)
            print(QStringLiteral("* connected to %1 (protocol %2)")
                      .arg(terminalSafe(welcome->server))
                      .arg(welcome->protocol));
        if (m_options.join)
            send(*m_options.join);
    } else if (std::holds_alternative<Waiting>(message)) {
        if (human)
            print(QStringLiteral("* waiting for someone nearby..."));
    } else if (const auto *matched = std::get_if<Matched>(&message)) {
        m_paired = true;
        m_partner = terminalSafe(matched->partner);
        if (human)
            print(QStringLiteral("* matched within %1 km with %2")
                      .arg(matched->distanceKm)
                      .arg(matched->partner));
        flushQueued();
    } else if (const auto *incoming = std::get_if<IncomingMessage>(&message)) {
        if (human)
            print(QStringLiteral("%1: %2").arg(m_partner, terminalSafe(incoming->text)));
    } else if (const auto *typing = std::get_if<PartnerTyping>(&message)) {
        if (human && typing->active)
            print(QStringLiteral("* %1 is typing...").arg(m_partner));
    } else if (const auto *left = std::get_if<PartnerLeft>(&message)) {
        m_paired = false;
        if (human)
            print(QStringLiteral("* partner left (%1); /next to meet someone else")
                      .arg(toString(left->reason)));
        if (m_inputDone)
            leaveAndQuit();
    } else if (const auto *notice = std::get_if<Notice>(&message)) {
        if (human)
            print(
                QStringLiteral("* notice from the operators: %1").arg(terminalSafe(notice->text)));
    } else if (std::holds_alternative<Left>(message)) {
        m_paired = false;
        if (human)
            print(QStringLiteral("* you left"));
    } else if (const auto *error = std::get_if<Error>(&message)) {
        if (human)
            print(QStringLiteral("! %1: %2")
                      .arg(toString(error->code), terminalSafe(error->message)));
    }
    std::fflush(stdout);
}

void ChatClient::onDisconnected() {
    const bool clean = m_quitting;
    if (!m_options.json || !clean) {
        QTextStream err(stderr);
        if (!clean)
            err << "* disconnected: " << m_socket.closeCode() << ' '
                << terminalSafe(m_socket.closeReason().isEmpty() ? m_socket.errorString()
                                                                 : m_socket.closeReason())
                << Qt::endl;
    }
    Q_EMIT done(clean ? 0 : 1);
}

} // namespace whisper
