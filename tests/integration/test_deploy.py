"""The operator's files in deploy/ (issue 21, point 1): every systemd unit passes
`systemd-analyze verify` (with its programs pointed at this environment), every command it runs
exists with the options it uses (`rendement` subcommands parse with the project's own parser),
and the reverse proxy sends each name to the port its service listens on."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rendement.cli.main import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
VENV_BIN = "/opt/rendement/venv/bin/"
ENV_FILE = "/etc/rendement/rendement.env"
EXEC_KEYS = ("ExecStartPre", "ExecStart")


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text("utf-8"))
    return parser


def commands(path: Path) -> list[list[str]]:
    parsed = unit(path)
    if not parsed.has_section("Service"):
        return []
    return [shlex.split(parsed["Service"][k]) for k in EXEC_KEYS if k in parsed["Service"]]


def test_the_three_services_and_the_timers_are_there():
    names = {p.name for p in UNITS}
    assert {
        "rendement-dagster-webserver.service",
        "rendement-dagster-daemon.service",
        "rendement-upload.service",
        "rendement-alarm.service",
        "rendement-alarm.timer",
        "rendement-backup.service",
        "rendement-backup.timer",
    } <= names
    for path in UNITS:
        parsed = unit(path)
        assert parsed.has_section("Unit") and parsed["Unit"]["Description"], path.name
        if path.suffix == ".timer":
            assert (DEPLOY / "systemd" / path.with_suffix(".service").name).exists()
            assert parsed["Timer"]["OnCalendar"]
        if "@" not in path.name and parsed.has_section("Service"):
            service = parsed["Service"]
            assert service["User"] == "rendement" and service["EnvironmentFile"] == ENV_FILE


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_rendement_commands_exist_in_the_cli_and_parse(path):
    for argv in commands(path):
        if not argv[0].startswith(VENV_BIN):
            continue
        program = argv[0].removeprefix(VENV_BIN)
        if program == "rendement":
            assert argv[1] in COMMANDS, argv
            args = build_parser().parse_args(argv[1:])  # exits 2 on an unknown option
            assert callable(args.run)
        else:
            assert shutil.which(program, path=str(Path(sys.executable).parent)), program
            sub = [a for a in argv[1:2] if not a.startswith("-")]  # `dagster-daemon run`
            help_text = subprocess.run(
                [str(Path(sys.executable).parent / program), *sub, "--help"],
                capture_output=True,
                text=True,
                timeout=120,
            ).stdout
            for option in (a for a in argv[1:] if a.startswith("-")):
                assert re.search(rf"(^|[ ,]){re.escape(option)}[ ,]", help_text, re.M), (
                    program,
                    option,
                )


def test_the_workspace_the_dagster_services_load_is_the_projects():
    for name in ("rendement-dagster-daemon.service", "rendement-dagster-webserver.service"):
        argv = commands(DEPLOY / "systemd" / name)[-1]
        workspace = argv[argv.index("-w") + 1]
        assert workspace == "/opt/rendement/app/workspace.yaml"
    assert (ROOT / "workspace.yaml").exists()


def test_systemd_analyze_verifies_every_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze ontbreekt (Debian: systemd)"
    env = tmp_path / "rendement.env"
    env.write_text((DEPLOY / "rendement.env.example").read_text("utf-8"), "utf-8")
    bin_dir = str(Path(sys.executable).parent) + "/"
    for path in UNITS:
        text = path.read_text("utf-8").replace(VENV_BIN, bin_dir).replace(ENV_FILE, str(env))
        (tmp_path / path.name).write_text(text, "utf-8")
    names = [p.name for p in UNITS]
    done = subprocess.run(
        [analyze, "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if any(word in line for word in ("Unknown", "not executable", "Invalid", "Failed", "bad"))
    ]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


def test_the_environment_file_names_every_variable_the_services_need():
    text = (DEPLOY / "rendement.env.example").read_text("utf-8")
    values = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    assert {"RENDEMENT_HOME", "DAGSTER_HOME", "RENDEMENT_DAGSTER_PG_URL"} <= set(values)
    assert values["DAGSTER_HOME"] == values["RENDEMENT_HOME"] + "/dagster"
    assert values["RENDEMENT_DAGSTER_PG_URL"].startswith("postgresql+psycopg2://")


def test_the_proxy_terminates_tls_and_points_at_the_services_ports():
    conf = (DEPLOY / "nginx" / "rendement.conf").read_text("utf-8")
    upload = commands(DEPLOY / "systemd" / "rendement-upload.service")[-1]
    web = commands(DEPLOY / "systemd" / "rendement-dagster-webserver.service")[-1]
    upload_port = upload[upload.index("--port") + 1]
    web_port = web[web.index("-p") + 1]
    assert f"proxy_pass http://127.0.0.1:{upload_port};" in conf
    assert f"proxy_pass http://127.0.0.1:{web_port};" in conf
    assert "--https" in upload and upload[upload.index("--host") + 1] == "127.0.0.1"
    assert conf.count("ssl_certificate ") == 2 and "return 301 https://" in conf
    max_mb = float(upload[upload.index("--max-mb") + 1])
    body = re.search(r"client_max_body_size (\d+)m;", conf)
    assert body and int(body.group(1)) > max_mb
    assert conf.count("{") == conf.count("}")


def test_nginx_accepts_the_proxy_config(tmp_path):
    """`nginx -t` of Debian's nginx (installed by .ci/run) on the example, with a self-signed
    certificate in place of the real ones."""
    nginx = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin")
    assert nginx, "nginx ontbreekt (Debian: nginx, zie .ci/run)"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")]
        + ["-subj", "/CN=rendement-test"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (tmp_path / "htpasswd").write_text("", "utf-8")
    site = (DEPLOY / "nginx" / "rendement.conf").read_text("utf-8")
    site = re.sub(r"/etc/letsencrypt/live/[a-z.]+/fullchain\.pem", str(tmp_path / "cert.pem"), site)
    site = re.sub(r"/etc/letsencrypt/live/[a-z.]+/privkey\.pem", str(tmp_path / "key.pem"), site)
    site = site.replace("/etc/nginx/rendement.htpasswd", str(tmp_path / "htpasswd"))
    assert "/etc/letsencrypt" not in site
    (tmp_path / "site.conf").write_text(site, "utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n",
        "utf-8",
    )
    checked = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", f"{tmp_path}/"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0 and "test is successful" in checked.stderr, checked.stderr
