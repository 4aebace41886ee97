-- Introductions a member received (during a call or reported later), newest
-- first: the follow_up_introductions mart (built by the outcomes stage,
-- already cut to FOLLOW_UP_LIMIT rows per member), each row with the
-- member's total.
SELECT member, received_on, contact, introductions, source, total
FROM follow_up_introductions
ORDER BY member, position
