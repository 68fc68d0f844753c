-- The console lists the audit log newest first, by time, filtered by action, by actor and by a
-- span of days, and offers the actions the log holds (one index probe each).
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_action ON audit_log (action, at, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at, id);
