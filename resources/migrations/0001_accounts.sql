-- Accounts, their login sessions and 2FA recovery codes.
-- Migration files: statements end with ';' at the end of a line; @ID@ is the
-- dialect's auto-increment primary key; times are ms since the epoch (BIGINT);
-- booleans are INTEGER 0/1; hashes are lower-case hex TEXT.
CREATE TABLE accounts (
    id @ID@,
    username TEXT NOT NULL,
    -- case-folded username: uniqueness ignores case, so "Alice" and "alice"
    -- cannot be two people
    username_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'moderator', 'admin')),
    disabled INTEGER NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL,
    last_used_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE recovery_codes (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_ms BIGINT,
    PRIMARY KEY (account_id, code_hash)
);
