-- The plan rows rejected across files (ranked_plan_rows.sql), as rejected
-- cells of their own file (rejected_rows' columns): the contact cell, with
-- the plan that already holds the contact.
WITH final AS (
    SELECT
        source_file,
        sheet,
        source_line AS line,
        'contact' AS "column",
        contact AS value,
        'contact already in plan ' || earlier_plan_id AS reason,
        member
    FROM ranked_plan_rows
    WHERE earlier_plan_id IS NOT NULL
)

SELECT * FROM final
