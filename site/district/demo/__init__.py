"""The fictional district 海河东区 that ../shared/data describes, as demo content."""
