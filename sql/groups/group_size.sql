-- One group's size, from its warehouse attached read-only as {source}.
WITH calls AS (
    SELECT member FROM {source}.calls
),
final AS (
    SELECT count(DISTINCT member) AS members, count(*) AS calls FROM calls
)
SELECT members, calls FROM final
