"""Sign and unsign storms through real server processes (issue 11, finding 1): several citizens,
each with one session, send many parallel sign and withdraw requests at once, for several
cycles, through gunicorn with several workers. Afterwards, for every (petition, province), the
counters must sum to the counted signature rows exactly, `reconcile_counts` must report no
drift, and every request must get the page's answer (a redirect), never an error.

Each cycle first has every citizen sign (a few duplicates each), then sends each citizen's
storm (--storm requests, half withdrawals, half signatures, shuffled) back to back, so that one
session's requests are handled at the same time by different workers. Before the fix, parallel
withdrawals of one signature each took 1 from the count.

Issue 17: after each cycle a count log entry is appended; at the end the log (as the API gives
it) must pass tools/verify_counts.py, its latest count must equal the receipts counted now and
the count shown, and every counted row must have a receipt.

Run by tests/petitions/test_concurrent_signing.py (on the suite's database engine) and by hand:
    python bench/signing_storm.py --db postgresql --accounts 12 --storm 12 --cycles 3 --workers 3
Prints one JSON line and exits 1 when a count differs or a request failed.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import drive, environment, prepare, scratch_database, served  # noqa: E402

VERIFIER = Path(__file__).resolve().parents[1] / "tools" / "verify_counts.py"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def storm_requests(petition_id, credentials, storm, rng):
    """A cycle: everyone signs (duplicates race each other), then each session's storm."""
    sign, unsign = f"/fr/petitions/{petition_id}/sign", f"/fr/petitions/{petition_id}/unsign"
    signs = [
        (sign, f"consent=y&csrf_token={csrf}", {"Cookie": f"session={cookie}", **FORM})
        for cookie, csrf in credentials
        for _ in range(2)
    ]
    rng.shuffle(signs)
    storms = []
    for cookie, csrf in credentials:
        headers = {"Cookie": f"session={cookie}", **FORM}
        own = [(unsign, f"csrf_token={csrf}", headers)] * (storm // 2) + [
            (sign, f"consent=y&csrf_token={csrf}", headers)
        ] * (storm - storm // 2)
        rng.shuffle(own)
        storms += own
    return signs, storms


def count_by_province(env, petition_id):
    """{province: (counted rows, counter sum)}, the drift reconcile_counts reports, the lowest counter."""
    os.environ.update(env)
    import sqlalchemy as sa

    from config import load_config
    from participation import create_app
    from participation.extensions import db
    from participation.petitions.models import Signature, SignatureCounter
    from participation.petitions.signing import reconcile_counts

    app = create_app(load_config("production"))
    province = sa.func.coalesce(
        Signature.province_id, sa.literal_column("0")
    )  # one expression in SELECT and GROUP BY
    with app.app_context():
        rows = dict(
            db.session.execute(
                sa.select(province, sa.func.count())
                .where(Signature.petition_id == petition_id, Signature.status == "counted")
                .group_by(province)
            ).all()
        )
        counters = {
            province: int(total)
            for province, total in db.session.execute(
                sa.select(SignatureCounter.province_key, sa.func.sum(SignatureCounter.count))
                .where(SignatureCounter.petition_id == petition_id)
                .group_by(SignatureCounter.province_key)
            )
        }
        lowest = db.session.scalar(
            sa.select(sa.func.min(SignatureCounter.count)).where(
                SignatureCounter.petition_id == petition_id
            )
        )
        drift = reconcile_counts(petition_id=petition_id)
        db.session.rollback()
        db.engine.dispose()
    provinces = {
        province: (rows.get(province, 0), counters.get(province, 0))
        for province in set(rows) | set(counters)
    }
    return provinces, drift, lowest


def append_count_log_entry(env, petition_id):
    """Issue 17: a count log entry, appended as the tick or a change of state does (forced, so
    each cycle has one even when the storm left the same receipts)."""
    os.environ.update(env)
    from config import load_config
    from participation import create_app
    from participation.extensions import db
    from participation.petitions import countlog

    app = create_app(load_config("production"))
    with app.app_context():
        countlog.append_entry(petition_id, "tick", force=True)
        db.session.commit()
        db.engine.dispose()


def check_count_log(env, petition_id):
    """The log as /api/v1/petitions/<id>/log gives it, checked by tools/verify_counts.py (in a
    subprocess, as a third party runs it), and its figures against the rows."""
    os.environ.update(env)
    import sqlalchemy as sa

    from config import load_config
    from participation import create_app
    from participation.api.petitions import count_log_json
    from participation.extensions import db
    from participation.petitions.models import Signature

    app = create_app(load_config("production"))
    with app.app_context():
        log = count_log_json(petition_id)
        without_receipt = db.session.scalar(
            sa.select(sa.func.count()).where(
                Signature.petition_id == petition_id,
                Signature.status == "counted",
                Signature.receipt_hash.is_(None),
            )
        )
        db.session.rollback()
        db.engine.dispose()
    with tempfile.TemporaryDirectory() as directory:
        saved = Path(directory) / "logs.json"
        saved.write_text(json.dumps({str(petition_id): log}))
        verifier = subprocess.run(
            [sys.executable, str(VERIFIER), "--logs", str(saved)], capture_output=True, text=True
        )
    if verifier.returncode:
        print(verifier.stderr, file=sys.stderr)
    return {
        "log_entries": len(log["entries"]),
        "log_count": log["entries"][-1]["count"] if log["entries"] else None,
        "log_removals": sum(len(e["removed"]) for e in log["entries"]),
        "receipts_counted": len(log["current"]["receipt_hashes"]),
        "counted_without_receipt": without_receipt,
        "verifier_exit": verifier.returncode,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432",
        help="server URL, without a database name",
    )
    parser.add_argument("--accounts", type=int, default=12)
    parser.add_argument(
        "--storm",
        type=int,
        default=12,
        help="parallel requests per account and cycle, half of them withdrawals",
    )
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=24)
    args = parser.parse_args()

    statuses, sent = [], 0
    with scratch_database(args.db, args.postgres, "signing-storm") as (url, instance):
        env = environment(url, instance)
        petition_id, credentials = prepare(env, args.accounts)
        rng = random.Random(11)
        with served(env, "wsgi:app", args.workers, "/healthz") as port:
            for _cycle in range(args.cycles):
                for requests in storm_requests(petition_id, credentials, args.storm, rng):
                    statuses += drive(port, requests, args.concurrency)[2]
                    sent += len(requests)
                append_count_log_entry(env, petition_id)
        provinces, drift, lowest = count_by_province(env, petition_id)
        count_log = check_count_log(env, petition_id)
    failed = sum(1 for status in statuses if status != 302)
    unequal = sorted(province for province, (rows, counted) in provinces.items() if rows != counted)
    result = {
        "database": args.db,
        "workers": args.workers,
        "accounts": args.accounts,
        "cycles": args.cycles,
        "requests": sent,
        "failed_requests": failed,
        "signature_rows": sum(rows for rows, _counted in provinces.values()),
        "count_shown": sum(counted for _rows, counted in provinces.values()),
        "provinces_unequal": len(unequal),
        "reconcile_drift": len(drift),
        "lowest_counter": lowest,
        **count_log,
    }
    count_log_ok = (
        count_log["verifier_exit"] == 0
        and count_log["log_count"] == count_log["receipts_counted"] == result["count_shown"]
        and count_log["counted_without_receipt"] == 0
    )
    print(json.dumps(result))
    sys.exit(
        0
        if not failed
        and not unequal
        and not drift
        and (lowest is None or lowest >= 0)
        and count_log_ok
        else 1
    )


if __name__ == "__main__":
    main()
