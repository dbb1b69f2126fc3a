// SPDX-License-Identifier: MIT
#pragma once

#include "accounts.h"
#include "database.h"
#include "moderation.h"
#include "securityservices.h"

#include <QTimer>

#include <memory>

namespace whisper {

struct ServerConfig;

// Builds and owns everything accounts and security need, from the config:
// the database (opened and migrated), the account service, moderation with
// its bans loaded, and the services the chat sessions share. main.cpp makes
// one and hands services() to the ChatServer; it must outlive the server.
class SecurityStack {
public:
    // nullptr with `error` set when the database cannot be opened/migrated or
    // the hashing parameters are rejected.
    static std::unique_ptr<SecurityStack> create(const ServerConfig &config, QString *error);
    ~SecurityStack();

    // The data directory actually used (config value or the platform default).
    static QString dataDirectory(const ServerConfig &config);
    static StorageLocation storageLocation(const ServerConfig &config);
    static AccountSettings accountSettings(const ServerConfig &config);
    static RateLimitSettings rateLimitSettings(const ServerConfig &config);

    SecurityServices &services() { return *m_services; }
    Accounts &accounts() { return *m_accounts; }
    Moderation &moderation() { return *m_moderation; }
    Database &database() { return *m_db; }

private:
    SecurityStack() = default;

    std::unique_ptr<Database> m_db;
    std::unique_ptr<Accounts> m_accounts;
    std::unique_ptr<Moderation> m_moderation;
    std::unique_ptr<SecurityServices> m_services;
    QTimer m_pruneTimer;
};

} // namespace whisper
