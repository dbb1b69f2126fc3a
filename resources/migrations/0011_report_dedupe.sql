-- One stored report per reporter, reported party and pair: a client that
-- repeats `report` is answered `reported` without another row (a flood of
-- repeats once grew the database by tens of MB a second). Repeats stored
-- before this migration are dropped, keeping the earliest of each.
DELETE FROM reports WHERE id NOT IN (
    SELECT MIN(id) FROM reports GROUP BY reporter_key, reported_key, pair_id
);
CREATE UNIQUE INDEX reports_once ON reports (reporter_key, reported_key, pair_id);
