-- The staff's volunteer search reads one ordered index range per community: by volunteer number
-- (the whole list, or a number's start) or by the start of a name. A page of a district's list
-- then never sorts the district's volunteers.
CREATE INDEX volunteers_community_no ON volunteers (community_id, volunteer_no);
CREATE INDEX volunteers_community_name ON volunteers (community_id, name, id);
