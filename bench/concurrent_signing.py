"""Exactness under concurrency, through real server processes: many distinct citizens sign one
petition at once, each several times (duplicates race each other), through gunicorn with several
workers; the signature rows, the count shown (sharded counters) and the number of distinct signers
must be equal, and every request must get the page's answer (a redirect), never an error.

Run by tests/petitions/test_concurrent_signing.py (on the suite's database engine) and by hand:
    python bench/concurrent_signing.py --db postgresql --signers 300 --repeat 3 --workers 3
Prints one JSON line and exits 1 when the counts differ or a request failed.
"""

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import drive, environment, final_counts, prepare, scratch_database, served  # noqa: E402


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
    parser.add_argument("--signers", type=int, default=300)
    parser.add_argument(
        "--repeat", type=int, default=3, help="requests per signer (all but one are duplicates)"
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=24)
    args = parser.parse_args()

    with scratch_database(args.db, args.postgres, "concurrent-signing") as (url, instance):
        env = environment(url, instance)
        petition_id, credentials = prepare(env, args.signers)
        requests = [
            (
                f"/fr/petitions/{petition_id}/sign",
                f"consent=y&csrf_token={csrf}",
                {
                    "Cookie": f"session={cookie}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            for cookie, csrf in credentials
            for _ in range(args.repeat)
        ]
        random.Random(7).shuffle(requests)
        with served(env, "wsgi:app", args.workers, "/healthz") as port:
            _seconds, _latencies, statuses = drive(port, requests, args.concurrency)
        rows, counted = final_counts(env, petition_id)
    failed = sum(1 for status in statuses if status != 302)
    result = {
        "database": args.db,
        "workers": args.workers,
        "requests": len(requests),
        "distinct_signers": args.signers,
        "signature_rows": rows,
        "count_shown": counted,
        "failed_requests": failed,
    }
    print(json.dumps(result))
    sys.exit(0 if rows == counted == args.signers and failed == 0 else 1)


if __name__ == "__main__":
    main()
