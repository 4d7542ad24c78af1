"""Bulk open-data dumps (CSV and JSON) and their public page with the data dictionary."""
