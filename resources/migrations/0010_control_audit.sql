-- Admin console audit log: one row per accepted control command (who, what,
-- when, target). Never holds passwords, notice text or chat text.
CREATE TABLE control_audit (
    id @ID@,
    at_ms BIGINT NOT NULL,
    actor_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    command TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX control_audit_at ON control_audit (at_ms);
CREATE INDEX control_audit_actor ON control_audit (actor);
