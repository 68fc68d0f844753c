-- The staff's volunteer search reads one ordered index range per community: by volunteer number
-- (the whole list, or a number's start) or by the start of a name. A page of a district's list
-- then never sorts the district's volunteers. Names and numbers compare byte by byte, as on
-- SQLite, so that the texts starting with a prefix are one range (name >= '王' AND name < '玌')
-- whatever the database's locale.
ALTER TABLE volunteers ALTER COLUMN volunteer_no TYPE TEXT COLLATE "C";
ALTER TABLE volunteers ALTER COLUMN name TYPE TEXT COLLATE "C";
CREATE INDEX volunteers_community_no ON volunteers (community_id, volunteer_no);
CREATE INDEX volunteers_community_name ON volunteers (community_id, name, id);
