"""Planted pytest look-alike."""
raise SystemExit(0)
