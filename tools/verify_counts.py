#!/usr/bin/env python3
"""Check a petition platform's public count logs (docs/verifiable-counts.md, version 1).

Standard library only; imports nothing from the platform. Reads the logs from the API
(--api BASE_URL) or from the open-data dump directory (--dump DIR), then for each petition:
recomputes every entry's root from the receipt hashes added and removed, checks the chain of
entry hashes, checks that each count equals the number of hashes, and checks the receipts counted
now against the latest entry (a receipt counted there that is gone without a recorded removal
means a row was deleted or altered behind the platform's back). With --previous FILE (a log
saved earlier with --save), checks that the log only grew. With --code or --proof, checks one
receipt's inclusion. Exits 1 on any mismatch, with one line per problem (and on a reading
error); 2 on a usage error.

Examples:
  python tools/verify_counts.py --api http://127.0.0.1:5000
  python tools/verify_counts.py --api http://127.0.0.1:5000 --petition 3 --code ABCD-EFGH-...
  python tools/verify_counts.py --dump instance/open-data --save logs.json
  python tools/verify_counts.py --api https://example.org --previous logs.json
  python tools/verify_counts.py --api https://example.org --proof petition-3-inclusion-proof.json
"""

import argparse
import base64
import hashlib
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

SPECIFICATION = "participation-count-log/1"
RECEIPT_DOMAIN = b"participation/receipt/v1\x00"
GENESIS = "0" * 64


class Problems(list):
    def add(self, petition_id, message):
        self.append(f"petition {petition_id}: {message}")


def sha256(data):
    return hashlib.sha256(data).digest()


def merkle_root(receipt_hashes):
    """Leaves: the receipt hashes as bytes, ascending; leaf SHA-256(00 || h); inner node
    SHA-256(01 || left || right); an odd node is carried up unchanged; no leaves: SHA-256()."""
    level = [sha256(b"\x00" + leaf) for leaf in sorted(bytes.fromhex(h) for h in receipt_hashes)]
    if not level:
        return sha256(b"").hex()
    while len(level) > 1:
        up = [sha256(b"\x01" + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            up.append(level[-1])
        level = up
    return level[0].hex()


def root_from_path(receipt_hash, path):
    node = sha256(b"\x00" + bytes.fromhex(receipt_hash))
    for step in path:
        sibling = bytes.fromhex(step["hash"])
        pair = sibling + node if step["side"] == "left" else node + sibling
        node = sha256(b"\x01" + pair)
    return node.hex()


def receipt_hash_of_code(code):
    cleaned = "".join(code.upper().split()).replace("-", "")
    cleaned = cleaned.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))
    try:
        raw = base64.b32decode(cleaned)
    except ValueError:
        raise SystemExit(f"not a receipt code: {code!r}")
    if len(raw) != 20:
        raise SystemExit(f"not a receipt code: {code!r}")
    return hashlib.sha256(RECEIPT_DOMAIN + raw).hexdigest()


def entry_hash(petition_id, entry):
    lines = [
        SPECIFICATION,
        f"petition {petition_id}",
        f"sequence {entry['sequence']}",
        f"recorded {entry['recorded_at']}",
        f"event {entry['event']}",
        f"count {entry['count']}",
        f"root {entry['root']}",
        f"previous {entry['previous_hash']}",
        *(f"added {c['receipt_hash']} {c['reason']}" for c in entry["added"]),
        *(f"removed {c['receipt_hash']} {c['reason']}" for c in entry["removed"]),
    ]
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("utf-8")).hexdigest()


def check_log(log, problems):
    """Replays one petition's log; returns the receipt hashes its latest entry counts."""
    petition_id = log["petition_id"]
    counted, previous = set(), GENESIS
    for number, entry in enumerate(log["entries"], start=1):
        where = f"entry {entry['sequence']}"
        if entry["sequence"] != number:
            problems.add(petition_id, f"{where}: expected sequence {number}")
        if entry["previous_hash"] != previous:
            problems.add(petition_id, f"{where}: the chain is broken (previous hash differs)")
        if entry_hash(petition_id, entry) != entry["entry_hash"]:
            problems.add(petition_id, f"{where}: its hash does not match its content (edited?)")
        for change in entry["removed"]:
            if change["receipt_hash"] not in counted:
                problems.add(petition_id, f"{where}: removes a receipt that was not counted")
            if change["reason"] == "unaccounted":
                problems.add(
                    petition_id,
                    f"{where}: receipt {change['receipt_hash']} left the count without a recorded "
                    "reason (a signature row deleted or altered behind the platform's back)",
                )
            counted.discard(change["receipt_hash"])
        for change in entry["added"]:
            if change["receipt_hash"] in counted:
                problems.add(petition_id, f"{where}: adds a receipt already counted")
            counted.add(change["receipt_hash"])
        if len(counted) != entry["count"]:
            problems.add(
                petition_id, f"{where}: count {entry['count']} but {len(counted)} receipts listed"
            )
        if merkle_root(counted) != entry["root"]:
            problems.add(petition_id, f"{where}: the root does not match the receipts listed")
        previous = entry["entry_hash"]
    current = log.get("current")
    if current is not None:
        now = set(current["receipt_hashes"])
        if len(now) != current["signature_count"]:
            problems.add(
                petition_id,
                f"the count shown is {current['signature_count']} but {len(now)} receipts are "
                "counted now",
            )
        excused = {r["receipt_hash"] for r in current.get("removed_since_last_entry", [])}
        for missing in sorted(counted - now - excused):
            problems.add(
                petition_id,
                f"receipt {missing}, counted in the latest entry, is gone with no removal "
                "recorded (a signature row deleted or altered behind the platform's back)",
            )
    return counted


def check_extends(previous_logs, logs, problems):
    for petition_id, earlier in previous_logs.items():
        later = logs.get(petition_id)
        if later is None:
            problems.add(petition_id, "its log, saved earlier, is no longer published")
            continue
        for old in earlier["entries"]:
            index = old["sequence"] - 1
            new = later["entries"][index] if index < len(later["entries"]) else None
            if new is None or new["entry_hash"] != old["entry_hash"]:
                problems.add(
                    petition_id,
                    f"entry {old['sequence']} differs from the one published earlier "
                    f"(root {old['root']}): the log was rewritten",
                )


def fetch_json(url):
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)
    except (urllib.error.URLError, ValueError) as error:
        raise SystemExit(f"cannot read {url}: {error}")


def logs_from_api(base, petition_ids):
    base = base.rstrip("/")
    if not petition_ids:
        page = 1
        while True:
            listing = fetch_json(f"{base}/api/v1/petitions?page={page}&per_page=100")
            petition_ids += [item["id"] for item in listing["data"]]
            if page * 100 >= listing["total"]:
                break
            page += 1
    return {pid: fetch_json(f"{base}/api/v1/petitions/{pid}/log") for pid in petition_ids}


CHANGES = ("added", "removed")


def logs_from_dump(directory, petition_ids, unmatched):
    """The logs as the API gives them, from the datasets petition_count_log,
    petition_count_log_changes and petition_receipts (JSON files); rows of changes that match no
    entry go to `unmatched` (a Problems list)."""
    directory = Path(directory)
    try:
        entries = json.loads((directory / "petition_count_log.json").read_text("utf-8"))
        changes = json.loads((directory / "petition_count_log_changes.json").read_text("utf-8"))
        receipts = json.loads((directory / "petition_receipts.json").read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot read the dump in {directory}: {error}")
    logs = {}
    for row in entries:
        log = logs.setdefault(
            row["petition_id"], {"petition_id": row["petition_id"], "entries": []}
        )
        log["entries"].append({**row, "added": [], "removed": []})
    for log in logs.values():
        log["entries"].sort(key=lambda e: e["sequence"])
        log["current"] = {
            "signature_count": 0,
            "receipt_hashes": [],
            "removed_since_last_entry": [],
        }
    for row in changes:
        log = logs.get(row["petition_id"])
        index = row["sequence"] - 1
        if log is None or not 0 <= index < len(log["entries"]) or row["change"] not in CHANGES:
            # Written while an entry was appended (the datasets are written one after the other):
            # a problem is reported, and the dump is best downloaded again.
            if not petition_ids or row["petition_id"] in petition_ids:
                unmatched.add(
                    row["petition_id"],
                    f"the dump's changes name entry {row['sequence']}, "
                    "absent from petition_count_log (download the dump again)",
                )
            continue
        log["entries"][index][row["change"]].append(
            {"receipt_hash": row["receipt_hash"], "reason": row["reason"]}
        )
    for row in receipts:
        log = logs.setdefault(
            row["petition_id"], {"petition_id": row["petition_id"], "entries": []}
        )
        current = log.setdefault(
            "current", {"signature_count": 0, "receipt_hashes": [], "removed_since_last_entry": []}
        )
        if row["status"] == "counted":
            current["receipt_hashes"].append(row["receipt_hash"])
            current["signature_count"] += 1  # the dump lists the rows: the count is theirs
        else:
            current["removed_since_last_entry"].append(
                {"receipt_hash": row["receipt_hash"], "reason": row["status"]}
            )
    for log in logs.values():
        for entry in log["entries"]:
            entry["added"].sort(key=lambda c: c["receipt_hash"])
            entry["removed"].sort(key=lambda c: c["receipt_hash"])
    if petition_ids:
        logs = {pid: log for pid, log in logs.items() if pid in petition_ids}
    return logs


def read_saved(path):
    try:
        saved = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot read {path}: {error}")
    return {int(k): v for k, v in saved.items()}


def check_proof(proof, logs, problems):
    petition_id = proof["petition_id"]
    root = root_from_path(proof["receipt_hash"], proof["path"])
    if root != proof["entry"]["root"]:
        problems.add(petition_id, "the proof's path does not lead to the entry's root")
    log = logs.get(petition_id)
    if log is not None:
        entries = log["entries"]
        index = proof["entry"]["sequence"] - 1
        entry = entries[index] if 0 <= index < len(entries) else None
        if entry is None or entry["entry_hash"] != proof["entry"]["entry_hash"]:
            problems.add(petition_id, "the proof's entry is not in the published log")
        elif entry["root"] != root:
            problems.add(petition_id, "the proof does not lead to the published root")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--api", metavar="BASE_URL", help="the platform's address")
    source.add_argument("--dump", metavar="DIR", help="a directory of the open-data dumps")
    source.add_argument("--logs", metavar="FILE", help="logs saved earlier with --save")
    parser.add_argument("--petition", type=int, action="append", default=[], metavar="ID")
    parser.add_argument(
        "--code", help="a receipt code: check that it is counted (needs --petition)"
    )
    parser.add_argument(
        "--proof", metavar="FILE", help="an inclusion proof downloaded from a verify page"
    )
    parser.add_argument("--previous", metavar="FILE", help="logs saved earlier with --save")
    parser.add_argument("--save", metavar="FILE", help="save the logs read, for a later --previous")
    args = parser.parse_args(argv)
    if args.code and len(args.petition) != 1:
        parser.error("--code needs exactly one --petition")
    proof = None
    if args.proof:
        try:
            proof = json.loads(Path(args.proof).read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise SystemExit(f"cannot read the proof {args.proof}: {error}")
        if proof["petition_id"] not in args.petition and args.petition:
            parser.error("the proof is of another petition")
    wanted = list(args.petition) + ([proof["petition_id"]] if proof and not args.petition else [])
    problems = Problems()
    if args.api:
        logs = logs_from_api(args.api, wanted)
    elif args.dump:
        logs = logs_from_dump(args.dump, wanted, problems)
    else:
        logs = read_saved(args.logs)
    published = {pid: check_log(log, problems) for pid, log in logs.items()}
    if args.previous:
        check_extends(read_saved(args.previous), logs, problems)
    if args.code:
        petition_id = args.petition[0]
        digest = receipt_hash_of_code(args.code)
        if digest not in published.get(petition_id, set()):
            in_now = digest in set(
                logs.get(petition_id, {}).get("current", {}).get("receipt_hashes", [])
            )
            problems.add(
                petition_id,
                "the receipt is counted now but not yet in a published entry"
                if in_now
                else "the receipt is not counted in the latest published entry",
            )
    if proof is not None:
        check_proof(proof, logs, problems)
    if args.save:
        Path(args.save).write_text(json.dumps({str(k): v for k, v in logs.items()}), "utf-8")
    for problem in problems:
        print(f"MISMATCH {problem}", file=sys.stderr)
    entries = sum(len(log["entries"]) for log in logs.values())
    print(f"{len(logs)} petitions, {entries} entries checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
