"""The moderators' desk registers itself as the comments component's overseer (see
comments/oversight.py): new and edited comments go through screening, readers see what they
reported and why their own comment is withheld, and the thread shows the desk's partials."""

from participation.comments.oversight import Overseer, register_overseer
from participation.moderation.queries import get_reader_moderation
from participation.moderation.screening import screen_comment
from participation.moderation.services import screen_edited_comment
from participation.moderation.views import backlog_notice


def register_comment_overseer():
    register_overseer(
        Overseer(
            screen_new=screen_comment,
            screen_edit=screen_edited_comment,
            reader_notes=get_reader_moderation,
            busy=backlog_notice,
            accepts_reports=True,
            notice_template="moderation/_notice.html",
            report_template="moderation/_report.html",
        )
    )
