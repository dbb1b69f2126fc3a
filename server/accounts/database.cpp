// SPDX-License-Identifier: MIT
#include "database.h"

namespace whisper {

Database::Database(StorageLocation location)
    : m_location(std::move(location)) {
    // One thread that never expires: the connection is bound to it.
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
    m_pool.setObjectName(QStringLiteral("whisper-db"));
}

Database::~Database() {
    runHandedOver(&m_pool, [this] { m_storage.reset(); }).waitForFinished();
    m_pool.waitForDone();
}

void Database::open() {
    runHandedOver(&m_pool, [this] {
        auto storage = std::make_unique<Storage>();
        storage->open(m_location);
        m_storage = std::move(storage);
    }).waitForFinished();
}

} // namespace whisper
