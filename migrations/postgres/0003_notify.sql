-- Several app servers on one database (PostgreSQL only): changes that every server must see at
-- once are announced on the channel `threadwise_invalidate` (src/web/nodes.rs listens). NOTIFY is
-- delivered when the writing transaction commits, and not at all if it rolls back.
--
-- The payload names what changed: 'sessions' (the session epoch moved: a logout, ban, demotion,
-- password or name change) and 'champion' (another model version serves). Page changes are
-- announced by the writing server itself after each write request (a trigger on every table
-- would fire per row). These triggers have no SQLite twin: scripts/pg_schema_check.sh skips the
-- `notify_` names.

CREATE FUNCTION notify_sessions_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('threadwise_invalidate', 'sessions');
    RETURN NULL;
END $$;

-- Once per statement: a statement that ends many sessions announces it once (PostgreSQL also
-- folds identical notifications of one transaction into one).
CREATE TRIGGER notify_sessions AFTER UPDATE ON session_epoch
    FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_fn();

CREATE FUNCTION notify_champion_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('threadwise_invalidate', 'champion');
    RETURN NULL;
END $$;

CREATE TRIGGER notify_champion AFTER UPDATE OF status ON model_versions
    FOR EACH ROW WHEN (NEW.status = 'champion' AND OLD.status IS DISTINCT FROM 'champion')
    EXECUTE FUNCTION notify_champion_fn();
CREATE TRIGGER notify_champion_insert AFTER INSERT ON model_versions
    FOR EACH ROW WHEN (NEW.status = 'champion')
    EXECUTE FUNCTION notify_champion_fn();
