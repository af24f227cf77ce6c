"""The web app: server-rendered pages (``pages/``, ``templates/``, ``static/``) and the REST API
(``api/``, mounted at ``/api/v1``).

:func:`agencyflow.web.app.create_app` builds the application from a
:class:`~agencyflow.config.Settings`; nothing (app, engine, settings) is built when this package
is imported. ``agencyflow web`` serves it with uvicorn (factory :func:`agencyflow.web.app.factory`).
"""
