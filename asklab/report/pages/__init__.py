"""Each page assembled from its frames and figures."""
