-- Every call of a member with a contact that one of the member's accepted
-- plan rows names (CONTRACT §7.3), with the call_outcomes columns the plan
-- comparison counts (§7.4). Only these calls can do an assignment, so a
-- large group's other calls are never read.
WITH
planned_contacts AS (
    SELECT DISTINCT member, contact_key FROM plan_rows
),

planned_calls AS (
    SELECT c.call_id, c.member, c.contact_key, c.call_date, c.ask_label
    FROM calls AS c
    INNER JOIN planned_contacts AS p
        ON c.member = p.member AND c.contact_key = p.contact_key
),

final AS (
    SELECT
        c.call_id,
        c.member,
        c.contact_key,
        c.call_date,
        c.ask_label,
        o.said_yes,
        o.mature,
        o.any_introduction,
        o.any_lead,
        o.reached_out
    FROM planned_calls AS c
    LEFT JOIN call_outcomes AS o ON o.call_id = c.call_id
)

SELECT * FROM final
ORDER BY member, contact_key, call_date, call_id
