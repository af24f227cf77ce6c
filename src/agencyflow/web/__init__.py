"""The web layer: the HTML app (``web.app``, ``web.pages``) and the REST API (``web.api``)."""
