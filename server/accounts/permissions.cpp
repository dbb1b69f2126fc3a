// SPDX-License-Identifier: MIT
#include "permissions.h"

namespace whisper {

namespace {
struct Grant {
    Permission permission;
    Role minimum;
    const char *name;
};
// Roles are ordered (user < moderator < admin): each permission names the
// least role that holds it.
constexpr Grant kTable[] = {
    {Permission::ViewConsole, Role::Moderator, "view_console"},
    {Permission::KickClient, Role::Moderator, "kick_client"},
    {Permission::BanTemporary, Role::Moderator, "ban_temporary"},
    {Permission::ListReports, Role::Moderator, "list_reports"},
    {Permission::ResolveReports, Role::Moderator, "resolve_reports"},
    {Permission::LookupAccount, Role::Moderator, "lookup_account"},
    {Permission::ListBans, Role::Moderator, "list_bans"},
    {Permission::LiftBan, Role::Moderator, "lift_ban"},
    {Permission::BanPermanent, Role::Admin, "ban_permanent"},
    {Permission::SetRole, Role::Admin, "set_role"},
    {Permission::Broadcast, Role::Admin, "broadcast"},
    {Permission::SetTickInterval, Role::Admin, "set_tick_interval"},
    {Permission::Drain, Role::Admin, "drain"},
    {Permission::ManageUsers, Role::Admin, "manage_users"},
    {Permission::ViewAudit, Role::Admin, "view_audit"},
};
} // namespace

bool roleHas(Role role, Permission permission) {
    for (const Grant &g : kTable)
        if (g.permission == permission)
            return int(role) >= int(g.minimum);
    return false; // least privilege: unknown permissions are nobody's
}

QString toString(Role role) {
    switch (role) {
    case Role::Admin:
        return QStringLiteral("admin");
    case Role::Moderator:
        return QStringLiteral("moderator");
    case Role::User:
        break;
    }
    return QStringLiteral("user");
}

std::optional<Role> roleFromString(const QString &name) {
    if (name == QLatin1String("user"))
        return Role::User;
    if (name == QLatin1String("moderator"))
        return Role::Moderator;
    if (name == QLatin1String("admin"))
        return Role::Admin;
    return std::nullopt;
}

QString toString(Permission permission) {
    for (const Grant &g : kTable)
        if (g.permission == permission)
            return QLatin1String(g.name);
    return QStringLiteral("unknown");
}

} // namespace whisper
