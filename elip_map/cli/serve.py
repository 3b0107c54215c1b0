"""``elip-map serve``: run the web app (gunicorn with --workers N > 1; Werkzeug's server for one worker)."""

from __future__ import annotations

import click

from ..config import Settings


def _gunicorn(app_factory, host: str, port: int, workers: int) -> None:
    """Serve with gunicorn, the app built once and shared by forked workers (copy-on-write memory)."""
    from gunicorn.app.base import BaseApplication  # delayed: only `serve --workers N` needs gunicorn

    built = {}

    def post_fork(_server, _worker):
        # Connections opened in the master before the fork must not be shared by workers
        # (SQLAlchemy's advice for forking servers): each worker starts its own pool.
        built["app"].server.config["ELIP_DATABASE"].engine.dispose(close=False)

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "preload_app": True,
                               "accesslog": "-", "timeout": 60, "worker_class": "gthread", "threads": 4,
                               "post_fork": post_fork}.items():
                self.cfg.set(key, value)

        def load(self):
            built["app"] = app_factory()
            return built["app"].server

    Server().run()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes; more than 1 runs the production server (gunicorn).")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the ELIP Service Map; an empty database first gets the bundled sample directory."""
    from ..factory import (
        create_app,  # delayed: Dash and the pages load in seconds; --help stays fast
    )

    settings = Settings.from_env()

    def build():
        return create_app(settings, load_sample=True)

    if workers > 1:
        click.echo(f"ELIP Service Map on http://{host}:{port} (gunicorn, {workers} workers)")
        _gunicorn(build, host, port, workers)
    else:
        app = build()
        click.echo(f"ELIP Service Map on http://{host}:{port}")
        app.run(host=host, port=port, debug=False)


COMMANDS = [serve]
