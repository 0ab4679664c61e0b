"""The Excel workbook: the model itself, with live formulas (see writer.py)."""
