-- Bans, blocks and reports. Reports never hold chat text.
CREATE TABLE bans (
    id @ID@,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    ip TEXT,
    reason TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    -- NULL: permanent
    expires_ms BIGINT,
    created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    lifted_ms BIGINT,
    CHECK (account_id IS NOT NULL OR ip IS NOT NULL)
);
CREATE INDEX bans_account ON bans (account_id);
CREATE INDEX bans_ip ON bans (ip);

-- blocked_key: the identity key (decimal) of the blocked person, derived from
-- the account id for accounts; only blocks made by accounts are stored.
CREATE TABLE blocks (
    blocker_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    blocked_key TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (blocker_account_id, blocked_key)
);

CREATE TABLE reports (
    id @ID@,
    reporter_key TEXT NOT NULL,
    reporter_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    reported_key TEXT NOT NULL,
    reported_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    -- the reported party's address, so a moderator can ban a guest by IP
    reported_ip TEXT,
    pair_id TEXT,
    reason TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    resolved_ms BIGINT,
    resolved_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    resolution TEXT
);
CREATE INDEX reports_open ON reports (resolved_ms);
