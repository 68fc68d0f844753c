-- The statements of one sign-up and its cancellation, as the service runs them for the activity
-- :rush and the volunteer :v (ops/loadtest.sh signups times them straight on the database, beside
-- the same work over HTTP). :now, :lock and :begin are filled in for each database.
:begin;
SELECT id, capacity FROM activities WHERE id = :rush :lock;
SELECT COUNT(*) FROM signups WHERE activity_id = :rush AND state = 'confirmed';
INSERT INTO signups (activity_id, volunteer_id, state, signed_up_at)
    SELECT :rush, :v, CASE WHEN COUNT(*) < (SELECT capacity FROM activities WHERE id = :rush)
        THEN 'confirmed' ELSE 'waitlisted' END, :now
    FROM signups WHERE activity_id = :rush AND state = 'confirmed'
    ON CONFLICT (activity_id, volunteer_id) DO NOTHING RETURNING id;
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, before, after)
    VALUES (:now, :v, 'sign_up', 'signup', '0', NULL, NULL, NULL, '{"state":"confirmed"}');
SELECT s.state, (SELECT COUNT(*) FROM signups o
        WHERE o.activity_id = s.activity_id AND o.state = s.state AND o.id <= s.id)
    FROM signups s WHERE s.activity_id = :rush AND s.volunteer_id = :v;
COMMIT;
:begin;
SELECT id, capacity FROM activities WHERE id = :rush :lock;
DELETE FROM signups WHERE activity_id = :rush AND volunteer_id = :v RETURNING id, state;
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, before, after)
    VALUES (:now, :v, 'cancel_signup', 'signup', '0', NULL, NULL, '{"state":"confirmed"}', NULL);
SELECT COUNT(*) FROM signups WHERE activity_id = :rush AND state = 'confirmed';
UPDATE signups SET state = 'confirmed' WHERE id IN (
    SELECT id FROM signups WHERE activity_id = :rush AND state = 'waitlisted' ORDER BY id LIMIT 1)
    RETURNING id, volunteer_id;
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, before, after)
    VALUES (:now, :v, 'move_up', 'signup', '0', NULL, NULL, NULL, NULL);
COMMIT;
