-- Every member's plan assignments for their own page (CONTRACT section 5): the
-- contact as written in the plan, the ask to make, and for a done one the
-- call that did it (date, asks) and whether it asked as planned. All of it is
-- in plan_assignments (the outcomes stage adds the contact and the linked
-- call's date and asks), so the report stage reads no calls.
WITH assignments AS (
    SELECT
        member, plan_id, created, coalesce(contact, contact_key) AS contact, relationship,
        arm, call_id, call_date, ask_label, complied, source_file, source_line
    FROM plan_assignments
),

final AS (
    SELECT
        member, plan_id, created, contact, relationship, arm,
        call_id IS NOT NULL AS done, call_date, ask_label, complied, source_file, source_line
    FROM assignments
)

SELECT *
FROM final
ORDER BY member, created, plan_id, source_file, source_line, contact
