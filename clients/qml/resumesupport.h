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

// What a `resumed` says, read field by field so that a codec whose
// `Resumed` lacks a field still compiles (the field then stays empty).
struct ResumedInfo {
    QString state; // "waiting" | "paired" | "lobby"
    QString partner;
    std::optional<double> distanceKm;
    std::optional<QString> nextToken;
};

namespace detail {
inline QString text(const QString &value) {
    return value;
}
inline QString text(const std::optional<QString> &value) {
    return value.value_or(QString());
}
inline std::optional<double> number(double value) {
    return value;
}
inline std::optional<double> number(const std::optional<double> &value) {
    return value;
}
} // namespace detail

// The contents of `message` when it is the server's `resumed`.
template <typename T = protocol::Resumed>
std::optional<ResumedInfo> resumedInfo(const protocol::ServerMessage &message) {
    if constexpr (Complete<T>) {
        if constexpr (InVariant<protocol::ServerMessage, T>::value) {
            const T *resumed = std::get_if<T>(&message);
            if (!resumed)
                return std::nullopt;
            ResumedInfo info;
            if constexpr (requires { detail::text(resumed->state); })
                info.state = detail::text(resumed->state);
            if constexpr (requires { detail::text(resumed->partner); })
                info.partner = detail::text(resumed->partner);
            if constexpr (requires { detail::number(resumed->distanceKm); })
                info.distanceKm = detail::number(resumed->distanceKm);
            if constexpr (requires { detail::text(resumed->resumeToken); }) {
                const QString next = detail::text(resumed->resumeToken);
                if (!next.isEmpty())
                    info.nextToken = next;
            }
            return info;
        }
    }
    return std::nullopt;
}

} // namespace whisper::client::resume
