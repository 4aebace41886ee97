-- Contacts who agreed to be a reference and whom the member has not called
-- for REFERENCE_FOLLOW_UP_DAYS days or more, longest first: the
-- follow_up_references mart (built by the outcomes stage for as_of, already
-- cut to FOLLOW_UP_LIMIT rows per member), each row with the member's total.
SELECT member, contact, agreed_on, last_call, days_since_last_call, total
FROM follow_up_references
ORDER BY member, position
