-- The accepted plan rows (CONTRACT §7.1) the outcomes stage links to calls,
-- in a stable order: by member, then plan (created, plan_id), then file line.
WITH
final AS (
    SELECT
        plan_id,
        member,
        created,
        seed,
        arms,
        contact,
        contact_key,
        relationship,
        arm,
        source_file,
        sheet,
        source_line
    FROM plan_rows
)

SELECT * FROM final
ORDER BY member, created, plan_id, source_file, sheet NULLS FIRST, source_line
