"""`rendement serve`: the upload service (Starlette on uvicorn), bound to localhost by default."""

from __future__ import annotations

import argparse
import os
import sys

from rendement.core.home import Home


def add_parser(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="start de uploadservice voor organisaties",
        description="Start de uploadservice: organisaties leveren hun exports aan met hun eigen "
        "token en halen hun eigen rapporten op; analisten zien de leveringsstatus. Luistert "
        "standaard alleen op 127.0.0.1; zet er voor gebruik via internet een webserver met "
        "HTTPS voor (de service zelf spreekt geen TLS).",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="adres om op te luisteren (standaard 127.0.0.1)"
    )
    p.add_argument("--port", type=int, default=8000, help="poort (standaard 8000)")
    p.add_argument("--home", help="datamap (standaard $RENDEMENT_HOME of ./data)")
    p.add_argument(
        "--max-mb",
        type=float,
        default=50,
        help="grootste bestand dat wordt aangenomen, in MB (standaard 50)",
    )
    p.add_argument(
        "--zonder-voorcontrole",
        action="store_true",
        help="sla de voorcontrole bij ontvangst over (sneller; de verwerking controleert toch)",
    )
    p.add_argument(
        "--voorcontrole-mb",
        type=int,
        default=2048,
        help="geheugen (adresruimte) van één voorcontrole in MB; wie meer nodig heeft wordt "
        "geweigerd (standaard 2048)",
    )
    p.add_argument(
        "--voorcontrole-seconden",
        type=float,
        default=120,
        help="tijd van één voorcontrole in seconden; wie langer duurt wordt geweigerd "
        "(standaard 120)",
    )
    p.add_argument(
        "--dagster",
        help="adres van de Dagster-webserver die elke levering meteen laat verwerken "
        "(standaard $RENDEMENT_DAGSTER_URL of http://127.0.0.1:3000, waar 'dagster dev' "
        "luistert; 'uit': wachten op de inbox-sensor)",
    )
    p.add_argument(
        "--https",
        action="store_true",
        help="de service staat achter een webserver met HTTPS: zet de cookies van het portaal "
        "alleen over HTTPS (Secure, __Host-)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from pipelines.health import dagster_probe
    from rendement.service.app import create_app
    from rendement.service.sandbox import Limits, stop_all
    from rendement.service.trigger import DEFAULT_URL, OFF, URL_ENV
    from rendement.service.uploads import Settings

    class _Server(uvicorn.Server):
        """uvicorn's server that, on SIGTERM or Ctrl-C, first stops every running pre-flight
        (`rendement.service.sandbox.stop_all`): their requests answer 503 at once and remove
        their temp files, so shutdown never waits for a slow check."""

        def handle_exit(self, sig, frame) -> None:
            stop_all()
            super().handle_exit(sig, frame)

    if not 0 < args.port < 65536:
        print("rendement serve: --port moet tussen 1 en 65535 liggen", file=sys.stderr)
        return 2
    if args.max_mb <= 0:
        print("rendement serve: --max-mb moet groter dan 0 zijn", file=sys.stderr)
        return 2
    if args.voorcontrole_mb < 256 or args.voorcontrole_seconden <= 0:
        print(
            "rendement serve: --voorcontrole-mb moet minstens 256 zijn en "
            "--voorcontrole-seconden groter dan 0",
            file=sys.stderr,
        )
        return 2
    home = Home.from_env(args.home)
    home.inbox.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        max_upload_bytes=int(args.max_mb * 1024 * 1024),
        preflight=not args.zonder_voorcontrole,
        secure_cookies=args.https,
        preflight_limits=Limits(args.voorcontrole_mb, args.voorcontrole_seconden),
    )
    dagster = args.dagster or os.environ.get(URL_ENV) or DEFAULT_URL
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"Let op: de service luistert op {args.host}, dus ook buiten deze computer. "
            "Zet er een webserver met HTTPS voor: tokens mogen niet onversleuteld over het "
            "netwerk.",
            file=sys.stderr,
        )
    if not home.registry.exists():
        print(
            f"Er is nog geen register ({home.registry}); voeg organisaties toe met "
            "'rendement org add' en maak tokens met 'rendement token new'.",
            file=sys.stderr,
        )
    print(
        f"Uploadservice voor {home.root} op http://{args.host}:{args.port}/ "
        f"(grens {args.max_mb:g} MB). Stoppen met Ctrl-C.",
        file=sys.stderr,
        flush=True,
    )
    if dagster.strip().lower() not in OFF:
        print(
            f"Elke levering wordt meteen bij Dagster op {dagster} aangevraagd (anders pakt de "
            "inbox-sensor haar op).",
            file=sys.stderr,
            flush=True,
        )
    config = uvicorn.Config(
        create_app(home, settings, dagster, runs=dagster_probe(home)),
        host=args.host,
        port=args.port,
        server_header=False,
        log_level="info",
        access_log=False,  # the audit log records every request, without query strings
        timeout_graceful_shutdown=5,  # after SIGTERM, running requests get 5 s at most
    )
    _Server(config).run()
    return 0
