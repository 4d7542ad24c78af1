"""The notifications page, marking read, opening through the platform, the header's count."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.filters import morocco_iso
from participation.core.models import utcnow
from participation.core.notifications import Notification, notify
from participation.extensions import db
from participation.notifications.queries import PER_PAGE
from tests.factories import make_user
from tests.query_counts import counted_queries

PAGE = "/fr/account/notifications"


def _told(user, count=1, *, read=False, title=None, age=timedelta(0)):
    """`count` notifications of a petition's publication, oldest first."""
    for _ in range(count):
        notify(
            user,
            "petition_published",
            link="/petitions/7-eau",
            title=title or {"ar": "الماء للجميع", "fr": "De l’eau pour tous"},
        )
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(count)
    ).all()
    for row in rows:
        row.created_at = utcnow() - age
        if read:
            row.read_at = utcnow()
    db.session.commit()
    return rows[::-1]


def _state(notification):
    db.session.expire_all()
    return db.session.get(Notification, notification.id).read_at


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (
        client.get(PAGE),
        client.get(f"{PAGE}/1"),
    ):
        assert response.status_code == 302 and "/fr/account/login" in response.location


def test_the_page_in_the_readers_language_newest_first_unread_marked_in_words(client, login):
    user = make_user(language="ar")
    [old] = _told(user, read=True, age=timedelta(days=2))
    [new] = _told(user, title={"ar": "مكتبات مفتوحة", "fr": "Des bibliothèques ouvertes"})
    login(user)
    html = client.get(PAGE).get_data(as_text=True)
    assert html.index("Des bibliothèques ouvertes") < html.index("De l’eau pour tous")
    assert "الماء" not in html  # the French page shows the French titles
    assert html.count(">Non lue<") == 1
    assert f'datetime="{morocco_iso(new.created_at)}"' in html
    assert f'href="/fr/account/notifications/{new.id}"' in html
    assert "Vous avez 1 notification non lue." in html
    arabic = client.get("/ar/account/notifications").get_data(as_text=True)
    assert "مكتبات مفتوحة" in arabic and "Des bibliothèques" not in arabic
    assert old.read_at is not None


def test_the_page_is_paginated(client, login):
    user = make_user()
    _told(user, PER_PAGE + 1)
    login(user)
    first = client.get(PAGE).get_data(as_text=True)
    assert first.count('<li class="notification') == PER_PAGE
    assert 'rel="next"' in first
    second = client.get(f"{PAGE}?page=2").get_data(as_text=True)
    assert second.count('<li class="notification') == 1


def test_mark_one_as_read(client, login, post_form):
    user = make_user()
    first, second = _told(user, 2)
    login(user)
    response = post_form(f"{PAGE}/{first.id}/read", form_page=PAGE)
    assert response.status_code == 303
    assert _state(first) is not None and _state(second) is None
    assert "La notification est marquée comme lue." in client.get(PAGE).get_data(as_text=True)


def test_mark_all_as_read_leaves_other_peoples_alone(client, login, post_form):
    user, other = make_user(), make_user()
    mine = _told(user, 3)
    [theirs] = _told(other)
    login(user)
    assert post_form(f"{PAGE}/read", form_page=PAGE).status_code == 303
    assert all(_state(n) is not None for n in mine)
    assert _state(theirs) is None


def test_a_post_without_its_csrf_token_is_refused(client, login):
    user = make_user()
    [notification] = _told(user)
    login(user)
    assert client.post(f"{PAGE}/{notification.id}/read").status_code == 400
    assert client.post(f"{PAGE}/read").status_code == 400
    assert _state(notification) is None


def test_opening_a_notification_marks_it_read_and_goes_to_its_page_in_this_language(client, login):
    user = make_user(language="ar")
    [notification] = _told(user)
    login(user)
    response = client.get(f"{PAGE}/{notification.id}")
    assert response.status_code == 302
    assert response.location.endswith("/fr/petitions/7-eau")
    assert _state(notification) is not None


def test_another_persons_notification_is_not_found(client, login, post_form):
    owner, intruder = make_user(), make_user()
    [notification] = _told(owner)
    login(intruder)
    assert client.get(f"{PAGE}/{notification.id}").status_code == 404
    assert post_form(f"{PAGE}/{notification.id}/read", form_page=PAGE).status_code == 404
    assert client.get(f"{PAGE}/999999").status_code == 404
    assert _state(notification) is None


@pytest.mark.parametrize(
    "language, words",
    [("fr", "(2 non lues)"), ("ar", "(إشعاران غير مقروءين)"), ("zgh", "(2 ⵓⵔ ⵜⵜⵓⵖⵔⴰⵏ)")],
)
def test_the_header_shows_the_unread_count_with_words_for_screen_readers(
    client, login, language, words
):
    user = make_user()
    _told(user, 2)
    _told(user, read=True)
    login(user)
    html = client.get(f"/{language}/").get_data(as_text=True)
    link = re.search(r'<a href="/%s/account/notifications"[^>]*>(.*?)</a>' % language, html)
    assert link, "no notifications link in the header"
    assert '<span class="notifications-link__count" aria-hidden="true">2</span>' in link.group(1)
    assert f'<span class="visually-hidden"> {words}</span>' in link.group(1)


def test_one_count_query_per_signed_in_page_and_none_for_anonymous_visitors(client, login):
    client.get("/fr/consultations")
    with counted_queries() as anonymous:
        html = client.get("/fr/consultations").get_data(as_text=True)
    assert not any("notifications" in statement for statement in anonymous)
    assert "account/notifications" not in html
    user = make_user()
    _told(user)
    login(user)
    with counted_queries() as signed_in:
        client.get("/fr/consultations")
    assert sum("FROM notifications" in statement for statement in signed_in) == 1


def test_no_count_badge_without_unread_notifications(client, login):
    user = make_user()
    _told(user, read=True)
    login(user)
    html = client.get("/fr/").get_data(as_text=True)
    assert "/fr/account/notifications" in html and "notifications-link__count" not in html
