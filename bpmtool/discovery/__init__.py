"""As-is discovery and model comparison: what really happens, next to what was planned."""
