-- What the yearly selection reads, each from an index: the year's totals in volunteer order and
-- the ratings of the year's activities.
CREATE INDEX volunteer_year_totals_year ON volunteer_year_totals (year, volunteer_id);
CREATE INDEX evaluations_activity ON evaluations (activity_id);
