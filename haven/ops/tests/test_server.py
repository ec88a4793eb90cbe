"""The production server: gunicorn serves Haven, production's static files are collected hashed and
compressed and served from there, and the runbooks explain every setting the code reads and start
the commands that exist."""

from __future__ import annotations

import base64
import os
import re
import runpy
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RUNBOOKS = ROOT / "docs" / "runbooks"


def production(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HAVEN_", "DJANGO_", "DATABASE_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HAVEN_ENV": "production",
        "DJANGO_ALLOWED_HOSTS": "haven.example.gov.vn",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "HAVEN_FIELD_KEYS": Fernet.generate_key().decode(),
        "HAVEN_INDEX_KEY": secrets.token_urlsafe(48),
        "HAVEN_AUDIT_KEY": secrets.token_urlsafe(48),
        "HAVEN_LEDGER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        **extra,
    }


SERVE_A_PAGE = """
import django, json, re; django.setup()
from django.test import Client
client = Client()
page = client.get("/accounts/login/", secure=True, HTTP_HOST="haven.example.gov.vn")
css = re.search(r'/static/css/haven\\.[0-9a-f]{12}\\.css', page.content.decode()).group(0)
asset = client.get(css, secure=True, HTTP_HOST="haven.example.gov.vn", HTTP_ACCEPT_ENCODING="gzip")
print(json.dumps({"page": page.status_code, "css": css, "asset": asset.status_code,
                  "cache": asset.get("Cache-Control"), "encoding": asset.get("Content-Encoding")}))
"""


def test_production_serves_the_static_files_it_collected_hashed_and_compressed(tmp_path):
    env = production(
        HAVEN_STATIC_ROOT=str(tmp_path / "static"), DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3"
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    assert list((tmp_path / "static" / "css").glob("haven.*.css.gz"))

    served = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SERVE_A_PAGE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert served.returncode == 0, served.stderr
    answer = __import__("json").loads(served.stdout.strip().splitlines()[-1])
    assert answer["page"] == 200 and answer["asset"] == 200
    assert "immutable" in answer["cache"]  # a hashed name never changes: cached for good
    assert answer["encoding"] == "gzip"


def test_every_static_file_a_template_names_exists():
    named = set()
    for template in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("haven/*/templates/**/*.html")]:
        named |= set(re.findall(r"""{%\s*static\s+['"]([^'"]+)['"]""", template.read_text()))
    assert {"css/haven.css", "js/haven.js"} <= named
    missing = [name for name in sorted(named) if not (ROOT / "static" / name).is_file()]
    # A name missing from the manifest is a 500 in production (and only there).
    assert missing == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_haven(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {"HAVEN_WEB_WORKERS": "1", "HAVEN_BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    body, headers = answer.read(), answer.headers
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (
                    tmp_path / "gunicorn.log"
                ).read_text()
                time.sleep(0.3)
        assert body == b'{"status": "ok"}'
        assert headers["Server"] == "gunicorn" and len(headers["X-Request-ID"]) == 32
        assert "script-src 'self'" in headers["Content-Security-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_gunicorn_configuration_listens_on_loopback_and_logs_no_addresses(monkeypatch):
    for name in ("HAVEN_BIND", "HAVEN_WEB_WORKERS", "HAVEN_WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8000"
    assert config["workers"] == os.cpu_count() * 2 + 1 and config["worker_class"] == "sync"
    assert config["accesslog"] is None and config["control_socket_disable"] is True
    monkeypatch.setenv("HAVEN_WEB_THREADS", "4")
    assert runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))["worker_class"] == "gthread"


def settings_read() -> set[str]:
    names = set()
    for file in ("config/settings.py", "config/env.py", "config/gunicorn.conf.py", "haven/ops/metrics.py"):
        text = (ROOT / file).read_text()
        names |= set(
            re.findall(
                r"""(?:environ\.get|environ\[|secret|credential|flag)\(\s*["']([A-Z][A-Z0-9_]+)["']""", text
            )
        )
    return names


def test_the_configuration_runbook_explains_every_setting_and_secret():
    read = settings_read()
    assert {"DATABASE_URL", "HAVEN_ENV", "DJANGO_SECRET_KEY", "HAVEN_AUDIT_CHECKPOINTS", "HAVEN_BIND"} <= read
    documented = set(
        re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", (RUNBOOKS / "configuration.md").read_text(), re.M)
    )
    assert sorted(read - documented) == []
    assert sorted(documented - read) == []  # nothing explained that the code no longer reads


def test_the_units_start_haven_s_own_commands_with_the_keys_as_credentials():
    units = {path.name: path.read_text() for path in (RUNBOOKS / "systemd").glob("haven-*.service")}
    assert set(units) == {
        "haven-web.service",
        "haven-worker.service",
        "haven-sweep.service",
        "haven-backup.service",
    }
    assert "gunicorn -c /srv/haven/app/config/gunicorn.conf.py config.wsgi" in units["haven-web.service"]
    assert "haven db_worker" in units["haven-worker.service"]
    assert "haven sweep --loop 60" in units["haven-sweep.service"]
    assert "haven backup" in units["haven-backup.service"]
    for name, text in units.items():
        assert "User=haven" in text and "UMask=0077" in text, name
        for key in ("DJANGO_SECRET_KEY", "HAVEN_FIELD_KEYS", "HAVEN_INDEX_KEY", "HAVEN_AUDIT_KEY"):
            assert f"LoadCredential={key}:" in text and f"{key}_FILE=%d/{key}" in text, (name, key)
    env = (RUNBOOKS / "systemd" / "haven.env").read_text()
    assert "HAVEN_ENV=production" in env and "SECRET" not in env and "KEY=" not in env
