"""Item 8: secure by default. The production settings (`motcua.settings`) have DEBUG, password
sign-in and the browsable API off and pass `manage.py check --deploy`; the demo/test settings
(`motcua.settings_demo`) turn them on. Pages carry a CSP that allows no inline script."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import certifi
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra: str) -> dict[str, str]:
    """The environment of a deployment: only what an operator sets, none of the test run's MOTCUA_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_SECRET_KEY=secrets.token_urlsafe(50),
        MOTCUA_AUDIT_KEY=secrets.token_hex(32),
        # Stand-in for the licensed CAs' roots an operator configures (not the demo CA).
        MOTCUA_SIGNATURE_TRUST_ROOTS=certifi.where(),
        MOTCUA_ALLOWED_HOSTS="motcua.example.gov.vn",
        **extra,
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_are_secure_by_default():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'debug': s.DEBUG, 'password': s.PASSWORD_LOGIN_ENABLED,"
        " 'renderers': s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'],"
        " 'permissions': s.REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES'],"
        " 'secure_cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY],"
        " 'hsts': s.SECURE_HSTS_SECONDS, 'ssl_redirect': s.SECURE_SSL_REDIRECT}))"
    )
    done = _run([sys.executable, "-c", code], _production_env())
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values["debug"] is False
    assert values["password"] is False
    assert values["renderers"] == ["rest_framework.renderers.JSONRenderer"]
    assert values["permissions"] == ["rest_framework.permissions.IsAuthenticated"]
    assert values["secure_cookies"] == [True, True, True]
    assert values["hsts"] >= 31536000 and values["ssl_redirect"] is True


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = _production_env()
    del env["MOTCUA_SECRET_KEY"]
    done = _run([sys.executable, "-c", "import django; django.setup()"], env)
    assert done.returncode != 0
    assert "MOTCUA_SECRET_KEY" in done.stderr


def test_check_deploy_is_clean_under_production_settings():
    done = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env()
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.django_db
def test_backoffice_page_has_a_csp_without_inline_script(client):
    response = client.get("/can-bo/dang-nhap/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict([*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["script-src"].strip() == "'self'"
    assert directives["object-src"].strip() == "'none'" and directives["frame-ancestors"].strip() == "'none'"
    page = response.content.decode()
    # Every <script> has a src (no inline code) and no element carries an inline handler or style.
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", page))
    assert not re.search(r"\son[a-z]+=|\shx-on|\sstyle=", page)


@pytest.mark.django_db
def test_portal_page_has_the_csp(client):
    response = client.get("/tra-cuu/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_no_inline_script_or_style_in_templates_served_as_html():
    """WeasyPrint renders the PDF templates (printing/) itself; every other template is a page."""
    offenders = []
    for template in (ROOT / "motcua").rglob("templates/**/*.html"):
        if "printing" in template.parts:
            continue
        text = template.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"\shx-on",
            r"\son[a-z]+=\"",
            r"\sstyle=\"",
            r"<style",
        ):
            if re.search(pattern, text):
                offenders.append(f"{template.relative_to(ROOT)}: {pattern}")
    assert offenders == []
