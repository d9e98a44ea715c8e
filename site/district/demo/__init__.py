"""The fictional district 海河东区 (its catalog is catalog/demo/data), as demo content."""
