"""Signed exchange files between a county's desk and the province's: keys, the signed container, registered
desks, what travels, export, import, receipts and conflicts (one module each)."""
