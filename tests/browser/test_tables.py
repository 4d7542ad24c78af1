"""Tables on a phone (issue 13, item 9; SPEC §11): every page with a table, in every role, in
Arabic, Amazigh and French, at 320 px. The page never scrolls sideways; a table wider than the
screen scrolls inside its own region (focusable, named, reachable by keyboard); no cell is
narrower than its longest word, so "التوقيعات" never comes out as "التوقيعا/ت". axe-core runs on
every page. The data is the demo (`flask seed-demo`), plus questionnaire results and lowered
signing-alert thresholds so that every template with a table shows one. The demo is seeded once for
the module; each test gets a copy of that database (the role test writes: a moderator counts a held
signature)."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.auth.models import RoleGrant, User
from participation.comments.models import Comment
from participation.consultations.models import Consultation, Question
from participation.demo import seed
from participation.demo.accounts import DEMO_DOMAIN
from participation.extensions import db
from participation.moderation.models import CommentReport, ModerationDecision
from participation.ogp.models import Commitment, Milestone
from participation.petitions.models import CommitteeMember, Petition, Signature
from tests.browser.helpers import sign_in_as, submit
from tests.conftest import Snapshot
from tests.factories import PASSWORD

TEMPLATES = Path(__file__).parents[2] / "templates"
LANGUAGES = ("ar", "zgh", "fr")
PHONE = {"width": 320, "height": 800}

# Every problem a page has, as text: the page scrolls sideways (with the elements that stick out),
# a table is not inside a named, focusable scroll region, its caption runs out of sight, a cell
# is narrower than its longest word. A word ends at a space or after a hyphen, where a line may break; it is measured on a
# canvas in the computed font of the element that holds it (Chromium shapes Arabic and Tifinagh
# there as on the page).
MEASURE = """async () => {
  await document.fonts.ready;
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    const outside = [...document.body.querySelectorAll("*")].filter(element => {
      const box = element.getBoundingClientRect();
      return box.width && (box.right > window.innerWidth + 0.5 || box.left < -0.5);
    });
    const innermost = outside.filter(element => !outside.some(
      other => other !== element && element.contains(other)));
    problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}, ` +
                  innermost.slice(0, 3).map(element => element.outerHTML.slice(0, 80)).join(" | "));
  }
  const context = document.createElement("canvas").getContext("2d");
  const fontOf = element => {
    const style = getComputedStyle(element);
    return `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  };
  for (const table of document.querySelectorAll("main table")) {
    const region = table.closest("[role=region]");
    const labelledBy = region?.getAttribute("aria-labelledby");
    const name = region && (region.getAttribute("aria-label") ||
      (labelledBy && document.getElementById(labelledBy)?.textContent.trim()));
    if (!region || region.tabIndex !== 0 || !name ||
        !["auto", "scroll"].includes(getComputedStyle(region).overflowX)) {
      problems.push(`table ${table.id || table.caption?.textContent.trim() || ""}: not inside ` +
                    `a named, focusable region that scrolls sideways`);
    } else if (table.caption &&
               table.caption.getBoundingClientRect().width > region.clientWidth + 0.5) {
      problems.push(`caption "${table.caption.textContent.trim()}": wider than its region, ` +
                    `so part of it is out of sight`);
    }
    for (const cell of table.querySelectorAll("th, td")) {
      const style = getComputedStyle(cell);
      const inner = cell.getBoundingClientRect().width
        - parseFloat(style.paddingInlineStart) - parseFloat(style.paddingInlineEnd)
        - parseFloat(style.borderInlineStartWidth) - parseFloat(style.borderInlineEndWidth);
      const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      let widest = null;
      while (texts.nextNode()) {
        context.font = fontOf(texts.currentNode.parentElement);
        for (const word of texts.currentNode.data.split(/\\s+|(?<=-)/).filter(Boolean)) {
          const width = context.measureText(word).width;
          if (!widest || width > widest.width) widest = {word, width};
        }
      }
      if (widest && widest.width > inner + 0.5) {
        problems.push(`${cell.tagName.toLowerCase()} "${cell.innerText.trim()}": ` +
                      `${inner.toFixed(1)} px for the word "${widest.word}" ` +
                      `(${widest.width.toFixed(1)} px)`);
      }
    }
  }
  return problems;
}"""


def _demo():
    """Seed the demo; add what it lacks for a table to show; return {account: [paths]}, the paths
    without their language prefix, None for the visitor who is not signed in."""
    seed(password_for=lambda: PASSWORD)
    closed = db.session.scalar(
        sa.select(Consultation).where(Consultation.state == "outcome_published")
    )
    closed.questions.extend(
        [
            Question(
                position=1,
                kind="single",
                prompt={"fr": "Êtes-vous d'accord ?", "ar": "هل توافقون؟"},
                options=[{"fr": "Oui", "ar": "نعم"}, {"fr": "Non", "ar": "لا"}],
            ),
            Question(position=2, kind="scale", prompt={"fr": "Note"}, scale_min=1, scale_max=5),
        ]
    )
    db.session.commit()

    def first(statement):
        found = db.session.scalar(statement.limit(1))
        assert found is not None, str(statement)
        return found

    deposited = first(
        sa.select(Petition).where(Petition.state == "deposited").order_by(Petition.id)
    )
    counted = first(
        sa.select(Petition)
        .join(Signature, Signature.petition_id == Petition.id)
        .where(Petition.state == "open")
        .order_by(Petition.id)
    )
    with_committee = first(
        sa.select(Petition.id)
        .join(CommitteeMember, CommitteeMember.petition_id == Petition.id)
        .join(User, User.id == Petition.initiator_id)
        .where(User.email == f"citizen@{DEMO_DOMAIN}")
    )
    reported = first(
        sa.select(CommentReport.comment_id).join(
            ModerationDecision, ModerationDecision.comment_id == CommentReport.comment_id
        )
    )
    author = first(sa.select(Comment.author_id).where(Comment.id == reported))
    held = first(sa.select(Signature.id).where(Signature.held_limit.is_not(None)))
    commitment = first(
        sa.select(Commitment.number).join(Milestone, Milestone.commitment_id == Commitment.id)
    )
    staff = first(sa.select(RoleGrant.user_id))
    return {
        None: [
            "/stats",
            "/moderation/transparency",
            "/commitments/",
            f"/commitments/{commitment}",
            "/open-data/",
            f"/petitions/{deposited.id}-{deposited.slug}",
            f"/petitions/{counted.id}-{counted.slug}",
            f"/consultations/{closed.id}-{closed.slug}",
            f"/consultations/{closed.id}-{closed.slug}/questionnaire",
        ],
        "citizen": [f"/petitions/{with_committee}/committee"],
        "officer": ["/institution/consultations"],
        "officer.hog": ["/institution/petitions/", f"/institution/petitions/{deposited.id}"],
        "moderator": [
            "/moderation/",
            "/moderation/?kind=signature",
            "/moderation/alerts",
            f"/moderation/comments/{reported}",
            _decide_signature(held),
            f"/moderation/signatures/{held}",
            f"/moderation/users/{author}",
        ],
        "observer": ["/observatory/"],
        "admin": [
            "/admin/audit",
            "/admin/institutions",
            "/admin/petition-kinds",
            "/admin/territories",
            "/admin/users",
            f"/admin/users/{staff}",
        ],
    }


@pytest.fixture(scope="module")
def demo(served_app, database_template, tmp_path_factory):
    """The demo, seeded once for the module (it takes several seconds)."""
    app, settings = served_app
    return Snapshot(app, settings, database_template, tmp_path_factory.mktemp("demo"), _demo)


@pytest.fixture
def pages(live_app, demo):
    """The demo in this test's database (a copy of the module's): {account: [paths]}."""
    with live_app.app_context(), live_app.test_request_context():
        return demo.restore()


def _decide_signature(signature_id):
    """A step, not a page: the moderator counts the held signature, so that its page shows the
    table of decisions on the petition's held signatures."""

    def decide(page, lang):
        page.goto(f"/{lang}/moderation/signatures/{signature_id}")
        page.select_option("#decision", "release")
        submit(page, "form[action$='/decide']")

    return decide


def _problems(page, path):
    response = page.goto(path)
    assert response.status == 200, path
    assert page.locator("main table").count() > 0, f"{path}: no table to check"
    return [f"{path}: {problem}" for problem in page.evaluate(MEASURE)]


def _become(context, app, account):
    """The context's tabs act as `account` (None: a visitor who is not signed in)."""
    context.clear_cookies()
    if account is not None:
        sign_in_as(context, app, f"{account}@{DEMO_DOMAIN}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tables_fit_a_phone_in_every_role(browser, live_app, pages, axe_check, lang):
    # Alerts need many signatures from one network or e-mail domain within a short window; the
    # demo's signatures are days old and from a handful of accounts.
    live_app.config.update(
        SIGNING_ALERT_WINDOW_MINUTES=10 * 365 * 24 * 60,
        SIGNING_ALERT_NETWORK_THRESHOLD=0,
        SIGNING_ALERT_DOMAIN_THRESHOLD=0,
    )
    problems = []
    context = browser.new_context(base_url=live_app.base_url, viewport=PHONE)
    # Two tabs in turn: axe-core checks the page in one while the next page is served and
    # measured in the other.
    tabs = [context.new_page(), context.new_page()]
    checking = []
    for account, paths in pages.items():
        for tab in checking:
            axe_check.finish(tab)
        checking = []
        _become(context, live_app, account)
        for path in paths:
            tab = tabs[0]
            tabs.reverse()
            if tab in checking:
                axe_check.finish(tab)
                checking.remove(tab)
            if callable(path):
                path(tab, lang)
                continue
            problems.extend(_problems(tab, f"/{lang}{path}"))
            axe_check.start(tab)
            checking.append(tab)
    for tab in checking:
        axe_check.finish(tab)
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ("ar", "zgh"))
@pytest.mark.parametrize("width", (360, 1280))
def test_public_tables_at_other_widths(browser, live_app, pages, lang, width):
    """The widths the problem was seen at: a phone, and a desktop for /ar/stats."""
    context = browser.new_context(
        base_url=live_app.base_url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    problems = []
    for path in pages[None]:
        problems.extend(_problems(page, f"/{lang}{path}"))
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("pages")
def test_a_keyboard_scrolls_a_wide_table(browser, live_app):
    """Tab reaches the region around a table wider than the screen; the arrow keys scroll it
    (towards the start of the line, leftwards, in Arabic) and the page itself stays put."""
    context = browser.new_context(base_url=live_app.base_url, viewport=PHONE)
    page = context.new_page()
    page.goto("/ar/moderation/transparency")
    region = page.locator("main [role=region]").first
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    region.focus()
    assert region.evaluate("element => element === document.activeElement")
    start = region.evaluate("element => element.scrollLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "([element, start]) => element.scrollLeft < start", arg=[region.element_handle(), start]
    )
    assert page.evaluate("window.scrollX") == 0
    context.close()


def test_every_table_in_the_templates_is_in_a_scroll_region():
    """Each <table> opens right after `{% call scroll_region(...) %}` (templates/_tables.html), so
    a new table cannot forget it."""
    unwrapped = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            before = text[: match.start()].rstrip()
            if not re.search(r"\{%-?\s*call\s+scroll_region\([^%]*\)\s*-?%\}$", before):
                line = text.count("\n", 0, match.start()) + 1
                unwrapped.append(f"{template.relative_to(TEMPLATES)}:{line}")
    assert not unwrapped, unwrapped
