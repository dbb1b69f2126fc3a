// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"
#include "protocol.h"

namespace whisper {

// Carries events to a client's session wherever it lives: in this process by
// default, on another node through a shared bus when scaled out.
class Relay {
public:
    virtual ~Relay() = default;
    // True when the recipient's connection took the event.
    virtual bool deliver(ClientId to, const protocol::ServerMessage &event) = 0;
};

} // namespace whisper
