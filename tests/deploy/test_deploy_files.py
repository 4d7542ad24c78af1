"""The files in deploy/ cannot rot (issue 14, item 1): nginx parses the site (`nginx -t`, with a
self-signed certificate in place of the placeholders), systemd parses the units
(`systemd-analyze verify`), and what the files must agree on with the code is checked against
the code: the body limit equals MAX_CONTENT_LENGTH, the units run commands that exist, the
environment template names every setting production requires.

nginx, systemd-analyze and openssl are installed by .ci/run (REQUIRE_DEPLOY_TOOLS=1 there, where
a missing one fails); elsewhere a missing tool skips its test with a message."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from config import ROOT, Config

DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "participation.conf"
UNITS = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "participation.env.example"
PLACEHOLDERS = {
    "/etc/ssl/participation/fullchain.pem": "cert.pem",
    "/etc/ssl/participation/privkey.pem": "key.pem",
}


def require_tool(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path:
        return path
    if os.environ.get("REQUIRE_DEPLOY_TOOLS") == "1":
        pytest.fail(f"{name} is not installed but REQUIRE_DEPLOY_TOOLS=1")
    pytest.skip(f"{name} is not installed (apt-get install nginx openssl systemd)")


def self_signed_certificate(directory):
    subprocess.run(
        [require_tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes"]
        + ["-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")]
        + ["-days", "1", "-subj", "/CN=participation.ma"],
        check=True,
        capture_output=True,
    )


def render_site(directory, text=None):
    """The site with the certificate placeholders, log and cache paths pointing into `directory`."""
    text = SITE.read_text() if text is None else text
    for placeholder, name in PLACEHOLDERS.items():
        assert text.count(placeholder) == 1, placeholder
        text = text.replace(placeholder, str(directory / name))
    (directory / "logs").mkdir(exist_ok=True)
    assert text.count("/var/cache/nginx/participation ") == 1
    text = text.replace("/var/cache/nginx/participation ", f"{directory}/cache ")
    return text.replace("/var/log/nginx/", f"{directory}/logs/")


def main_config(directory, site_path):
    """A minimal nginx.conf around the site, like Debian's (mime types, one http block)."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the pytest tmp dir
    return (
        f"{user}pid {directory}/nginx.pid;\nerror_log {directory}/logs/error.log;\n"
        "events {}\nhttp {\n    include /etc/nginx/mime.types;\n"
        f"    access_log {directory}/logs/access.log;\n    include {site_path};\n}}\n"
    )


def nginx_test(directory, site_text):
    (directory / "site.conf").write_text(site_text)
    (directory / "nginx.conf").write_text(main_config(directory, directory / "site.conf"))
    return subprocess.run(
        [require_tool("nginx"), "-t", "-p", str(directory), "-c", str(directory / "nginx.conf")]
        + ["-e", str(directory / "logs" / "error.log")],
        capture_output=True,
        text=True,
    )


def test_nginx_accepts_the_site(tmp_path):
    require_tool("nginx")
    self_signed_certificate(tmp_path)
    result = nginx_test(tmp_path, render_site(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_test_fails_on_a_broken_site(tmp_path):
    """The control: the same harness refuses a site with a misspelt directive."""
    require_tool("nginx")
    self_signed_certificate(tmp_path)
    broken = SITE.read_text().replace("client_max_body_size", "client_max_body_sise")
    result = nginx_test(tmp_path, render_site(tmp_path, broken))
    assert result.returncode != 0
    assert "client_max_body_sise" in result.stderr


def nginx_size(value):
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_the_body_limit_equals_max_content_length():
    (value,) = re.findall(r"^\s*client_max_body_size\s+(\S+);", SITE.read_text(), re.M)
    assert nginx_size(value) == Config().MAX_CONTENT_LENGTH
    env = dict(re.findall(r"^([A-Z_0-9]+)=(.*)$", ENV_EXAMPLE.read_text(), re.M))
    assert int(env["MAX_CONTENT_LENGTH"]) == Config().MAX_CONTENT_LENGTH


def test_the_site_retries_only_unreached_nodes_and_passes_the_request_id():
    text = SITE.read_text()
    (retry,) = re.findall(r"^\s*proxy_next_upstream\s+([^;]+);", text, re.M)
    assert retry.split() == ["error", "timeout"]  # no non_idempotent, no retry on an answer
    assert re.search(r"^\s*proxy_set_header X-Request-ID \$request_id;", text, re.M)
    for server in re.findall(r"^\s*server\s+(\S+:\d+)\s+([^;]*);", text, re.M):
        assert "max_fails=" in server[1] and "fail_timeout=" in server[1], server


def test_systemd_accepts_the_units(tmp_path):
    """The units with the checkout and the virtualenv of this test run in place of /srv/...:
    systemd-analyze checks that ExecStart's program exists and is executable."""
    analyze = require_tool("systemd-analyze")
    venv_bin = Path(shutil.which("flask")).parent
    for unit in UNITS.iterdir():
        text = unit.read_text()
        text = text.replace("/srv/participation/venv/bin/", f"{venv_bin}/")
        text = text.replace("/srv/participation/app", str(ROOT))
        (tmp_path / unit.name).write_text(text)
    names = sorted(str(path) for path in tmp_path.iterdir())
    assert any(name.endswith(".timer") for name in names)
    result = subprocess.run(
        [analyze, "verify", "--man=no", *names], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown keys are only warnings


def _flask_commands(unit_text):
    (command,) = re.findall(r"^ExecStart=\S+/flask --app wsgi (.+)$", unit_text, re.M)
    return command.split()


@pytest.mark.parametrize(
    "unit, command",
    [
        ("participation-tick", ["tick"]),
        ("participation-outbox", ["outbox", "send"]),
        ("participation-open-data", ["open-data", "dump"]),
        ("participation-stats", ["stats", "refresh", "--all"]),
    ],
)
def test_every_job_has_a_timer_and_runs_an_existing_command(app, unit, command):
    service = (UNITS / f"{unit}.service").read_text()
    timer = (UNITS / f"{unit}.timer").read_text()
    assert f"Unit={unit}.service" in timer
    assert re.search(r"^Type=oneshot$", service, re.M)
    assert _flask_commands(service) == command
    result = app.test_cli_runner().invoke(args=[*command[:2], "--help"])
    assert result.exit_code == 0, result.output
    for option in command[2:]:
        assert option in result.output


def test_the_environment_template_names_every_required_setting():
    env = dict(re.findall(r"^([A-Z_0-9]+)=(.*)$", ENV_EXAMPLE.read_text(), re.M))
    source = (ROOT / "config.py").read_text()
    (required,) = re.findall(r"for name in \(\n(.*?)\)\n\s*if not _env\(name\)", source, re.S)
    for name in re.findall(r'"([A-Z_]+)"', required):
        assert name in env, name
    for name in ("PARTICIPATION_CONFIG", "REDIS_URL", "TRUSTED_HOSTS", "TRUSTED_PROXIES"):
        assert name in env, name
    assert env["PARTICIPATION_CONFIG"] == "production"
    assert env["TRUSTED_PROXIES"] == "1"
    units = "".join(path.read_text() for path in UNITS.glob("*.service"))
    for variable in re.findall(r"\$\{([A-Z_]+)\}", units):
        assert variable in env, variable


def test_the_site_shares_only_what_the_application_marks_and_never_with_a_session():
    """docs/caching.md: a proxy cache for the answers with s-maxage, bypassed and not filled when a
    session or remember cookie is sent, one request per missing page (lock), the expiring copy
    served while it is fetched again."""
    text = SITE.read_text()
    directives = dict(re.findall(r"^\s*(proxy_cache\w*|proxy_no_cache)\s+([^;]+);", text, re.M))
    assert directives["proxy_cache"] == "participation_pages"
    assert directives["proxy_cache_bypass"] == "$participation_has_session"
    assert directives["proxy_no_cache"].split() == [
        "$participation_has_session",
        "$participation_not_shared",
    ]
    assert directives["proxy_cache_lock"] == "on"
    assert directives["proxy_cache_use_stale"] == "updating"
    cookie_map = re.search(r"map \$http_cookie \$participation_has_session \{(.*?)\}", text, re.S)
    pattern = re.search(r'"~([^"]+)" 1;', cookie_map.group(1)).group(1)
    for cookie, has_session in [
        ("session=abc", True),
        ("theme=dark; session=abc", True),
        ("remember_token=1|x", True),
        ("theme=dark", False),
        ("mysession=abc", False),
        ("", False),
    ]:
        assert bool(re.search(pattern, cookie)) == has_session, cookie
    shared_map = re.search(
        r"map \$upstream_http_cache_control \$participation_not_shared \{(.*?)\}", text, re.S
    )
    assert re.search(r"default 1;", shared_map.group(1))
    assert re.search(r'"~s-maxage=" 0;', shared_map.group(1))
