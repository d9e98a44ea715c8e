"""Search: the one place where text is analysed and queried."""
