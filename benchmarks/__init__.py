"""skser's benchmark suite: real-data accuracy and speed figures (``make bench``)."""
