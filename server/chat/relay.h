// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"
#include "pairregistry.h"
#include "protocol.h"

namespace whisper {

// Carries events to a client's session wherever it lives: in this process by
// default, on another node through a shared bus when scaled out.
class Relay {
public:
    virtual ~Relay() = default;
    // True when the recipient's connection took the event.
    virtual bool deliver(ClientId to, const protocol::ServerMessage &event) = 0;

    enum class Handover {
        Delivered,   // on the partner's connection now
        Queued,      // the partner is away: held until it resumes
        QueueFull,   // away, and its queue is at resume-queue-max
        Unreachable, // no such client
        Remote,      // sent to the partner's node, which acknowledges it
    };
    // A chat message from `from`; when it was queued, `from` hears
    // `delivered` for `id` once it reaches the resumed connection.
    // `pair` has ended; `notify`, its member still in it, learns `reason`.
    virtual bool relayPairEnd(const PairRecord &pair, ClientId notify,
                              protocol::LeftReason reason) {
        return deliver(notify, protocol::PartnerLeft{reason});
    }
    virtual Handover relayMessage(ClientId to, const protocol::IncomingMessage &message,
                                  ClientId from, const std::optional<QString> &id) = 0;
};

// Told of each chat message the relay carried (the control endpoint's
// message counts): a plain call on the relay's hot path, where a signal
// cost more than the count itself.
class RelayObserver {
public:
    virtual void messageRelayed(ClientId to) = 0;

protected:
    ~RelayObserver() = default;
};

} // namespace whisper
