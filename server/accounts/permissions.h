// SPDX-License-Identifier: MIT
#pragma once

// The one permission table: which role may do what. Every privileged
// operation asks roleHas() before it acts; nothing else decides.

#include <QString>

#include <optional>

namespace whisper {

enum class Role { User = 0, Moderator = 1, Admin = 2 };

enum class Permission {
    // moderator and admin
    ViewConsole,
    KickClient,
    BanTemporary,
    ListReports,
    ResolveReports,
    LookupAccount,
    ListBans,
    LiftBan, // temporary bans; lifting a permanent one also needs BanPermanent
    // admin only
    BanPermanent,
    SetRole,
    Broadcast,
    SetTickInterval,
    Drain,
    ManageUsers,
    ViewAudit,
};
// The last enumerator, for loops over every permission: a new one goes
// before it or becomes it.
inline constexpr Permission kLastPermission = Permission::ViewAudit;

bool roleHas(Role role, Permission permission);
QString toString(Role role);
std::optional<Role> roleFromString(const QString &name);
QString toString(Permission permission);

} // namespace whisper
