"""``/api/docs``: Swagger UI for the API, its assets served by the app itself (no CDN).

The assets come from the ``swagger-ui-bundle-v2`` package (Swagger UI 5, which reads OpenAPI
3.1). The page is a static HTML file whose script is a file too, so a Content-Security-Policy
without inline scripts allows it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

#: Where the API's OpenAPI document is, as the docs page fetches it.
OPENAPI_URL = "/api/v1/openapi.json"

_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agencyflow API</title>
<link rel="stylesheet" href="{base}/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{base}/assets/swagger-ui-bundle.js"></script>
<script src="{base}/init.js"></script>
</body>
</html>
"""

_INIT = """window.ui = SwaggerUIBundle({{url: "{openapi}", dom_id: "#swagger-ui",
  deepLinking: true, persistAuthorization: false}});
"""


def assets_dir() -> Path:
    """The folder of Swagger UI's files in the installed package."""
    import swagger_ui_bundle

    return Path(str(swagger_ui_bundle.swagger_ui_path))


def create_docs(base: str = "/api/docs", openapi_url: str = OPENAPI_URL) -> FastAPI:
    """The docs sub-application, to be mounted at ``base``."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    page = _PAGE.format(base=base)
    init = _INIT.format(openapi=openapi_url)

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/init.js", include_in_schema=False)
    def init_js() -> Response:
        return Response(init, media_type="text/javascript")

    app.mount("/assets", StaticFiles(directory=assets_dir()), name="assets")
    return app
