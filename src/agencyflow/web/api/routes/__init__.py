"""The API's routers, one per resource; :func:`agencyflow.web.api.create_api` includes them."""
