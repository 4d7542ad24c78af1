"""Done-when of the petitions issue: many simultaneous signing requests, duplicates included,
through several real gunicorn worker processes, and the count equals the number of distinct
signers exactly. Runs bench/concurrent_signing.py in a subprocess (it builds its own throw-away
database on the suite's engine: a new database on the TEST_DATABASE_URL server, or a SQLite file)."""
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import POSTGRES_URL

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "concurrent_signing.py"


def test_concurrent_duplicate_signing_through_gunicorn_counts_exactly():
    command = [sys.executable, str(SCRIPT), "--signers", "150", "--repeat", "3", "--workers", "3", "--concurrency", "24"]
    if POSTGRES_URL:
        server = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]  # the server, not the suite's database
        command += ["--db", "postgresql", "--postgres", server]
    else:
        command += ["--db", "sqlite"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=900)
    lines = finished.stdout.strip().splitlines()
    assert lines, finished.stderr[-3000:]
    result = json.loads(lines[-1])
    assert result == {
        "database": "postgresql" if POSTGRES_URL else "sqlite", "workers": 3, "requests": 450, "distinct_signers": 150,
        "signature_rows": 150, "count_shown": 150, "failed_requests": 0,
    }, finished.stderr[-3000:]
    assert finished.returncode == 0
