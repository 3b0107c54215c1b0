"""``elip-map serve``: run the web app. Production (ELIP_PRODUCTION=1) always runs gunicorn, even with one
worker; development runs Werkzeug's server for one worker and gunicorn for more. The first line says which."""

from __future__ import annotations

import click

from ..config import Settings, require_safe_for_production
from . import _common

THREADS = 4


def _gunicorn(app, host: str, port: int, workers: int) -> None:
    """Serve with gunicorn, the app built once (before the fork) and shared by the workers copy-on-write."""
    from gunicorn.app.base import BaseApplication  # delayed: only serving needs gunicorn

    def post_fork(_server, _worker):
        # Connections opened in the master before the fork must not be shared by workers
        # (SQLAlchemy's advice for forking servers): each worker starts its own pool.
        app.server.config["ELIP_DATABASE"].engine.dispose(close=False)

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "preload_app": True,
                               "accesslog": "-", "timeout": 60, "worker_class": "gthread", "threads": THREADS,
                               "post_fork": post_fork}.items():
                self.cfg.set(key, value)

        def load(self):
            return app.server

    Server().run()


def start_line(settings: Settings, host: str, port: int, workers: int, use_gunicorn: bool) -> str:
    """What the operator reads first: where, which server, which mode and which database."""
    server = (f"gunicorn, {workers} worker{'s' if workers > 1 else ''} x {THREADS} threads" if use_gunicorn
              else "Werkzeug development server, 1 process (not for production)")
    if settings.production:
        framers = ", ".join(settings.frame_origins) or "no other site"
        mode = (f"production: secure cookies, HSTS over HTTPS, Content-Security-Policy, "
                f"newcomer page may be framed by {framers}")
    else:
        mode = "development (ELIP_PRODUCTION is off: cookies work over plain HTTP)"
    return (f"ELIP Service Map on http://{host}:{port} | {server} | {mode} | "
            f"database {_common.shown_url(settings.database_url)}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes. Production always runs gunicorn; development runs it for more than 1.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the ELIP Service Map; an empty database first gets the bundled sample directory."""
    from ..factory import (
        create_app,  # delayed: Dash and the pages load in seconds; --help stays fast
    )

    settings = Settings.from_env()
    require_safe_for_production(settings)
    use_gunicorn = bool(settings.production) or workers > 1
    with _common.database_errors(settings.database_url):
        app = create_app(settings, load_sample=True)
    click.echo(start_line(settings, host, port, workers, use_gunicorn))
    if use_gunicorn:
        _gunicorn(app, host, port, workers)
    else:
        app.run(host=host, port=port, debug=False)


COMMANDS = [serve]
