// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace whisper {

// Opaque identifiers handed to clients (session, pair). Random, so they leak
// nothing about connection order or counts.
QString randomOpaqueId(int bytes = 12);

// A friendly handle shown to a partner ("quiet-otter-42"): it identifies the
// partner within one chat without revealing any account name.
QString randomHandle();

} // namespace whisper
