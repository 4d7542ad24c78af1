"""Sign and unsign storms through real server processes (issue 11, finding 1): several citizens,
each with one session, send many parallel sign and withdraw requests at once, for several
cycles, through gunicorn with several workers. Afterwards, for every (petition, province), the
counters must sum to the counted signature rows exactly, `reconcile_counts` must report no
drift, and every request must get the page's answer (a redirect), never an error.

Each cycle first has every citizen sign (a few duplicates each), then sends each citizen's
storm (--storm requests, half withdrawals, half signatures, shuffled) back to back, so that one
session's requests are handled at the same time by different workers. Before the fix, parallel
withdrawals of one signature each took 1 from the count.

Run by tests/petitions/test_concurrent_signing.py (on the suite's database engine) and by hand:
    python bench/signing_storm.py --db postgresql --accounts 12 --storm 12 --cycles 3 --workers 3
Prints one JSON line and exits 1 when a count differs or a request failed.
"""

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import drive, environment, prepare, scratch_database, served  # noqa: E402

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
        provinces, drift, lowest = count_by_province(env, petition_id)
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
    }
    print(json.dumps(result))
    sys.exit(
        0 if not failed and not unequal and not drift and (lowest is None or lowest >= 0) else 1
    )


if __name__ == "__main__":
    main()
