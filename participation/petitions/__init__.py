"""Petitions and legislative motions under the organic laws (44.14, 64.14, 111.14–113.14)."""
