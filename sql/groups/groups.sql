-- The groups table for the all-groups page, by key.
SELECT group_key, group_slug, folder, status, error, in_comparison, members, calls
FROM groups
ORDER BY group_key
