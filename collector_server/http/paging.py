"""Bounds of the device list's paging parameters (shared by the view and the OpenAPI)."""

MAX_OFFSET = 10**9
MAX_LIMIT = 1000
