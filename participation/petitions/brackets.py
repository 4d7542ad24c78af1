"""Population brackets of territorial thresholds, written by administrators as text lines."""

from flask_babel import lazy_gettext as _l

from participation.core.errors import DomainError


def parse_brackets(text):
    """Lines "1000000: 300", "3000000: 400", "*: 500" -> ascending population brackets."""
    brackets = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        below, sep, signatures = line.partition(":")
        try:
            limit = (
                None
                if below.strip() in {"*", ""}
                else int(below.strip().replace(" ", "").replace(",", ""))
            )
            count = int(signatures.strip())
        except ValueError:
            raise DomainError(
                _l(
                    "Write each line as “population limit: signatures”, for example “1000000: 300”, and “*: 500” for the last one."
                ),
                code="brackets",
            )
        if not sep or count <= 0:
            raise DomainError(
                _l(
                    "Write each line as “population limit: signatures”, for example “1000000: 300”, and “*: 500” for the last one."
                ),
                code="brackets",
            )
        brackets.append({"population_below": limit, "signatures": count})
    limits = [b["population_below"] for b in brackets]
    if brackets and (
        limits[-1] is not None
        or any(limit is None for limit in limits[:-1])
        or limits[:-1] != sorted(limits[:-1])
    ):
        raise DomainError(
            _l("Population limits must grow, and only the last line may be “*”."),
            code="brackets_order",
        )
    return brackets or None


def format_brackets(brackets):
    return "\n".join(
        f"{'*' if b['population_below'] is None else b['population_below']}: {b['signatures']}"
        for b in brackets or []
    )
