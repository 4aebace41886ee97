-- Every member's plan assignments for their own page (CONTRACT section 5): the
-- contact as written in the plan (plan_rows; the key when the row is missing),
-- the ask to make, and for a done one the call that did it (date, asks) and
-- whether it asked as planned. Only read when plans exist: the join to calls
-- touches the linked calls' two columns.
WITH assignments AS (
    SELECT member, plan_id, created, contact_key, relationship, arm, call_id, complied,
        source_file, source_line
    FROM plan_assignments
),
named AS (
    SELECT a.*, coalesce(r.contact, a.contact_key) AS contact
    FROM assignments AS a
    LEFT JOIN plan_rows AS r
        ON r.member = a.member AND r.plan_id = a.plan_id AND r.contact_key = a.contact_key
),
linked AS (
    SELECT n.*, c.call_date, c.ask_label
    FROM named AS n
    LEFT JOIN calls AS c ON c.call_id = n.call_id
),
final AS (
    SELECT member, plan_id, created, contact, relationship, arm,
        call_id IS NOT NULL AS done, call_date, ask_label, complied, source_file, source_line
    FROM linked
)
SELECT *
FROM final
ORDER BY member, created, plan_id, source_file, source_line, contact
