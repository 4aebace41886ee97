-- One row of the groups table.
INSERT INTO groups
    (group_key, group_slug, folder, status, error, in_comparison, members, calls)
VALUES ($group_key, $group_slug, $folder, $status, $error, $in_comparison, $members, $calls)
