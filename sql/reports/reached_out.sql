-- Contacts who reached out to a member (reached_out events), newest first:
-- the follow_up_reached_out mart (built by the outcomes stage, already cut to
-- FOLLOW_UP_LIMIT rows per member), each row with the member's total.
SELECT member, event_date, contact, count, attributed, total
FROM follow_up_reached_out
ORDER BY member, position
