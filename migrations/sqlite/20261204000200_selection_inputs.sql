-- What the yearly selection reads, each from an index: the year's totals in volunteer order (the
-- volunteers' rows are then read in the order they lie), the ratings of the year's activities,
-- and the attendances rejected as fraudulent.
CREATE INDEX volunteer_year_totals_year ON volunteer_year_totals (year, volunteer_id);
CREATE INDEX evaluations_activity ON evaluations (activity_id);
-- SQLite uses a partial index only for a query that states its condition as the index does; the
-- query says `fraudulent`, as on PostgreSQL.
DROP INDEX attendances_fraudulent;
CREATE INDEX attendances_fraudulent ON attendances (volunteer_id) WHERE fraudulent;
