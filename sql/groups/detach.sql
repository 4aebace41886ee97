-- Let go of the group warehouse attached as {source}.
DETACH {source}
