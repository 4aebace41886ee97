-- Attach one group's warehouse read-only as {source}; the path is a bound parameter.
ATTACH $path AS {source} (READ_ONLY)
