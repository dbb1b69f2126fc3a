// SPDX-License-Identifier: MIT
#pragma once

// Chat resume after a reconnect, written against its announced contract
// (`welcome` carries `resume_token`; `{"type":"resume_session","token":...}`
// is answered `{"type":"resumed",...}`) so that the client compiles both
// against a codec that has those types and against one that does not. With
// an older codec the helpers below report "not supported" and the client
// joins again instead.

#include "protocol.h"

#include <QString>

#include <optional>
#include <type_traits>
#include <variant>

namespace whisper::protocol {
// Declared here, defined by protocol.h once the codec knows them; an
// incomplete type means "this build's protocol has no chat resume".
struct ResumeSession;
struct Resumed;
} // namespace whisper::protocol

namespace whisper::client::resume {

template <typename T>
concept Complete = requires {
    sizeof(T);
};

template <typename Variant, typename T>
struct InVariant : std::false_type {};
template <typename T, typename... Ts>
struct InVariant<std::variant<Ts...>, T> : std::bool_constant<(std::is_same_v<T, Ts> || ...)> {};

template <typename T = protocol::ResumeSession>
constexpr bool canSend() {
    if constexpr (Complete<T>)
        return InVariant<protocol::ClientMessage, T>::value && requires(T t) {
            t.token = QString();
        };
    else
        return false;
}

// The resume token of a `welcome`, when the codec knows the field and the
// server sent one.
template <typename W = protocol::Welcome>
std::optional<QString> tokenOf(const W &welcome) {
    if constexpr (requires { welcome.resumeToken; }) {
        using Field = std::remove_cvref_t<decltype(welcome.resumeToken)>;
        if constexpr (std::is_same_v<Field, QString>) {
            if (welcome.resumeToken.isEmpty())
                return std::nullopt;
            return welcome.resumeToken;
        } else {
            return welcome.resumeToken; // std::optional<QString>
        }
    } else {
        return std::nullopt;
    }
}

// The `resume_session` request; only called when canSend().
template <typename T = protocol::ResumeSession>
protocol::ClientMessage request(const QString &token) {
    if constexpr (canSend<T>()) {
        T message{};
        message.token = token;
        return message;
    } else {
        return protocol::Leave{}; // unreachable: callers check canSend()
    }
}

// True when `message` is the server's `resumed`.
template <typename T = protocol::Resumed>
bool isResumed(const protocol::ServerMessage &message) {
    if constexpr (Complete<T>) {
        if constexpr (InVariant<protocol::ServerMessage, T>::value)
            return std::holds_alternative<T>(message);
    }
    return false;
}

} // namespace whisper::client::resume
