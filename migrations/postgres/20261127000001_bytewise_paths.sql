-- Unit paths compare byte by byte, as on SQLite, so that a subtree is one index range
-- (path >= '/1/4/' AND path < '/1/4/~') on both backends.
DROP INDEX units_path_prefix;
ALTER TABLE units ALTER COLUMN path TYPE TEXT COLLATE "C";
DROP INDEX audit_log_unit_path;
ALTER TABLE audit_log ALTER COLUMN unit_path TYPE TEXT COLLATE "C";
CREATE INDEX audit_log_unit_path ON audit_log (unit_path, id);
