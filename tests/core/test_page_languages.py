"""The page-level language test (issue 13, "What to build"): every GET page of the demo data, as
every role, in Arabic and in Amazigh, shows no Latin word in the page's own language. What may
stay in Latin: the names and acronyms of tests/page_text.py (docs/glossary.md), people's names,
addresses, and user content marked with its own `lang` (core.i18n.in_language / user_text).

The demo (`flask seed-demo`) is seeded once for the session (conftest's `demo`) and the walk runs
in one test per language, which two test processes can share out. Each route
is visited once per demo object its parameters name (every consultation with its sections, every
petition, comment, institution, kind, commitment...). A route with a parameter that no resolver
below fills fails the test, so a new route is covered the day it is added."""

import hashlib
from collections import defaultdict
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from participation.auth.models import TokenPurpose, User
from participation.auth.tokens import issue_token
from participation.comments.models import Comment
from participation.consultations.models import Consultation
from participation.core.notifications import Notification
from participation.core.routing import MAX_ID
from participation.demo.accounts import ACCOUNTS, DEMO_DOMAIN
from participation.extensions import db
from participation.institutions.models import Institution, Province, Region
from participation.moderation.models import ModerationDecision
from participation.ogp.models import Commitment
from participation.petitions.models import CommitteeMember, Petition, PetitionKind, Signature
from tests.core.route_walk import urls_of_every_get_route
from tests.page_text import people_names, stray_latin_runs

LANGUAGES = ("ar", "zgh")
ANONYMOUS = "anonymous"
# Every demo account, one per role, and the Head of Government's officer (the petitions inbox).
ROLES = [ANONYMOUS, *(local for _role, local, _name, _language, _institution in ACCOUNTS)]
INVITATION = "demo-invitation-token"
# Words a page may show in Latin beyond tests/page_text.py's list, each with its reason.
PAGE_ALLOWED = {
    # The share buttons of a petition name the networks by their brand names.
    "WhatsApp",
    "Facebook",
    "X",
    "LinkedIn",
    # Names quoted as such in the official Arabic text of Morocco's OGP action plan (commitments
    # 5 and 9): the environment observatory's acronym and the IDARATI system.
    "ONEDD",
    "IDARATI",
    # The identity form's example of the two-letter country code people type (ISO 3166-1).
    "FR",
}
# Findings not fixed yet (rule, word): each must still occur, so the list only shrinks. Remove an
# entry with its fix; never add one for a new page. Empty since the waiting times, the open-data
# page's standards and the desk's ".po" were fixed.
PENDING = set()


def _all(model, order=None):
    return db.session.scalars(sa.select(model).order_by(order or model.id)).all()


def _consultation_sets():
    """Each consultation with each of its sections, and its attachments (or an id that names
    none: the document route then answers with its 404 page)."""
    for consultation in _all(Consultation):
        attachments = [a.id for a in consultation.attachments]
        for section in consultation.sections or [None]:
            yield {
                "consultation_id": consultation.id,
                "slug": consultation.slug,
                "section_id": section.id if section else MAX_ID,
                "attachment_id": attachments[0] if attachments else MAX_ID,
                "kind": "comments",
                "fmt": "csv",
            }


def _petition_sets():
    for petition in _all(Petition):
        yield {"petition_id": petition.id, "slug": petition.slug}


def _tokens():
    """A live e-mail verification token, a live reset token, a committee invitation, and one
    that names nothing: each token route shows its form or its 'link no longer valid' page."""
    citizen = db.session.scalar(sa.select(User).where(User.email == f"citizen@{DEMO_DOMAIN}"))
    verify = issue_token(citizen, TokenPurpose.VERIFY_EMAIL, _day())
    reset = issue_token(citizen, TokenPurpose.RESET_PASSWORD, _day())
    member = db.session.scalar(
        sa.select(CommitteeMember).where(CommitteeMember.accepted_at.is_(None))
    )
    tokens = [verify, reset, "not-a-token"]
    if member is not None:
        member.invitation_hash = hashlib.sha256(INVITATION.encode()).hexdigest()
        tokens.append(INVITATION)
    return tokens


def _day():
    from datetime import timedelta

    return timedelta(days=1)


# One resolver per path parameter: the values (from the demo data) a route taking it is visited
# with. Parameters that only make sense together (a consultation, its slug and its section) come
# from one set; the others are combined with each set.
RESOLVERS = {
    "institution_id": lambda: [i.id for i in _all(Institution)],
    "kind_id": lambda: [k.id for k in _all(PetitionKind)],
    "user_id": lambda: [u.id for u in _all(User)[:3]],
    "number": lambda: [c.number for c in _all(Commitment, Commitment.number)],
    "decision_id": lambda: [d.id for d in _all(ModerationDecision)],
    "signature_id": lambda: [
        s.id for s in db.session.scalars(sa.select(Signature).where(Signature.status == "suspect"))
    ],
    "comment_id": lambda: [c.id for c in _all(Comment)],
    # Opening a notification redirects to its page (its owner) or is a 404 (anyone else).
    "notification_id": lambda: [n.id for n in _all(Notification)[:2]],
    # CSV downloads and open-data files are not pages: one value each reaches the route.
    "table_key": lambda: ["participation-by-month"],
    "filename": lambda: ["consultations.csv"],
    "token": _tokens,
    ("kind", "territory_id"): lambda: [
        ("region", _all(Region)[0].id),
        ("province", _all(Province)[0].id),
    ],
}
GROUPS = (_consultation_sets, _petition_sets)


def parameter_sets(lang):
    """Parameter sets for tests/core/route_walk.py's walk: each group's sets, then each value of
    each resolver on its own (a route takes one object of each kind at most, except the groups)."""
    sets = [{"lang_code": lang, **values} for group in GROUPS for values in group()]
    for names, resolve in RESOLVERS.items():
        for value in resolve():
            if isinstance(names, tuple):
                sets.append({"lang_code": lang, **dict(zip(names, value))})
            else:
                sets.append({"lang_code": lang, names: value})
    return sets


def _sign_in_as(client, login, role):
    with client.session_transaction() as session:
        session.clear()
    if role != ANONYMOUS:
        login(db.session.scalar(sa.select(User).where(User.email == f"{role}@{DEMO_DOMAIN}")))


def _get(client, url):
    response = client.get(url)
    response.get_data()  # buffered, then the file behind a download (an open-data CSV) is closed
    response.close()
    with client.session_transaction() as session:
        session.pop("_flashes", None)  # a flash is shown on the next page, here on none
    return response


def _report(failures):
    """By route and language, each text with its Latin words, the roles that saw it and a URL."""
    lines = []
    for (rule, lang), texts in sorted(failures.items()):
        lines.append(f"{rule} [{lang}]")
        for (text, words), seen in sorted(texts.items(), key=lambda item: -len(item[1])):
            roles = ", ".join(sorted({role for role, _url in seen}))
            shown = text if len(text) < 90 else text[:87] + "..."
            lines.append(f"    {' '.join(words)!r} in {shown!r}")
            lines.append(f"        as {roles}: {seen[0][1]}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_latin_word_on_the_arabic_and_amazigh_pages(app, client, login, demo, lang):
    walks = {
        lang: [
            (rule, urls)
            for rule, urls in urls_of_every_get_route(
                app, SimpleNamespace(parameter_sets=parameter_sets(lang))
            )
            if "lang_code" in rule.arguments
        ]
    }
    db.session.commit()
    allowed = frozenset(people_names()) | PAGE_ALLOWED
    failures = defaultdict(
        lambda: defaultdict(list)
    )  # (rule, lang) -> (text, words) -> [(role, url)]
    pages = defaultdict(int)
    runs = {}  # the page's digest -> its stray Latin runs
    seen = set()
    for role in ROLES:
        _sign_in_as(client, login, role)
        for lang, walk in walks.items():
            for rule, urls in walk:
                for url in urls:
                    response = _get(client, url)
                    if response.mimetype != "text/html" or response.status_code in (301, 302, 303):
                        continue
                    pages[response.status_code] += 1
                    html = response.get_data(as_text=True)
                    # The same page (a 404, a 403, a page every role sees alike) is read once.
                    # Its links to itself in the other languages (and the sign-in link's `next`)
                    # name its own address: set aside, so that one role's 403s are one page.
                    own = url.partition("?")[0][len(lang) + 1 :]
                    same = html.replace(own, "\0") if len(own) > 1 else html
                    digest = hashlib.blake2b(same.encode(), digest_size=16).digest()
                    if digest not in runs:
                        runs[digest] = stray_latin_runs(html, lang, allowed)
                    for text, words in runs[digest]:
                        seen.update((rule.rule, word) for word in words)
                        words = tuple(w for w in words if (rule.rule, w) not in PENDING)
                        if words:
                            failures[rule.rule, lang][text, words].append((role, url))
    assert pages[200] > 500, dict(pages)  # 1,172 in the two languages when this test was written
    assert PENDING - seen == set(), "fixed: remove these from PENDING"
    assert not failures, "Latin words on ar/zgh pages:\n" + _report(failures)
