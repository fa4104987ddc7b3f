"""One router per resource: pages (``*_pages``), downloads, and the JSON API (``api_*``)."""

__all__: list[str] = []
