"""No status change of a comment bypasses the moderation service.

After a comment is written, its status changes only in comments.services.change_comment_status, and only
the moderation service calls that function, from the one function that also records the
decision. These checks read the source of the package: every module of the comments component,
and every other module that imports from it (others have statuses of their own, e.g. the mail
outbox, and cannot reach a comment without importing the component).
"""

import ast
from pathlib import Path

import participation

PACKAGE = Path(participation.__file__).parent
APPLY = "participation/comments/services.py"
MODERATION = "participation/moderation/services.py"
COMPONENT = "participation.comments"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE.parent).as_posix(), ast.parse(path.read_text())


def _reaches_comments(module, tree):
    if module.startswith(COMPONENT.replace(".", "/") + "/"):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(COMPONENT):
            return True
        if isinstance(node, ast.Import) and any(
            alias.name.startswith(COMPONENT) for alias in node.names
        ):
            return True
    return False


def _functions(tree):
    """(function name, node) for every function, nested ones included."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node


def _status_assignments(node):
    for child in ast.walk(node):
        targets = (
            child.targets
            if isinstance(child, ast.Assign)
            else [child.target]
            if isinstance(child, (ast.AugAssign, ast.AnnAssign))
            else []
        )
        for target in targets:
            for element in ast.walk(target):
                if isinstance(element, ast.Attribute) and element.attr == "status":
                    yield child.lineno


def _calls(node, name):
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            function = child.func
            called = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", None)
            )
            if called == name:
                yield child


def test_only_apply_status_assigns_a_comment_status():
    offenders = []
    scanned = []
    for module, tree in _modules():
        if not _reaches_comments(module, tree):
            continue
        scanned.append(module)
        for name, function in _functions(tree):
            for line in _status_assignments(function):
                if (module, name) != (APPLY, "change_comment_status"):
                    offenders.append(f"{module}:{line} in {name}")
        for node in tree.body:  # module level, outside any function
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                offenders.extend(f"{module}:{line}" for line in _status_assignments(node))
    assert offenders == []
    assert {APPLY, MODERATION, "participation/consultations/exports.py"} <= set(scanned)


def test_the_scan_finds_status_assignments():
    tree = ast.parse(
        "def f(comment, item):\n    comment.status = 'visible'\n    item.comment.status, x = 'hidden', 1\n"
    )
    assert list(_status_assignments(tree)) == [2, 3]


def test_only_the_moderation_service_calls_apply_status_and_records_the_decision():
    callers = []
    for module, tree in _modules():
        for name, function in _functions(tree):
            if list(_calls(function, "change_comment_status")):
                callers.append((module, name))
    assert callers == [(MODERATION, "_decide")]
    decide = next(
        f
        for n, f in _functions(ast.parse((PACKAGE.parent / MODERATION).read_text()))
        if n == "_decide"
    )
    assert list(_calls(decide, "ModerationDecision")), (
        "the decision record is written next to the status change"
    )


def test_no_bulk_update_or_setattr_touches_a_comment_status():
    offenders = []
    for module, tree in _modules():
        for call in _calls(tree, "update"):
            if any(isinstance(a, ast.Name) and a.id == "Comment" for a in call.args):
                offenders.append(f"{module}:{call.lineno} update(Comment)")
        for call in _calls(tree, "setattr"):
            if (
                len(call.args) > 1
                and isinstance(call.args[1], ast.Constant)
                and call.args[1].value == "status"
            ):
                offenders.append(f"{module}:{call.lineno} setattr(..., 'status')")
        if "UPDATE COMMENTS" in ast.unparse(tree).upper():
            offenders.append(f"{module}: raw UPDATE comments")
    assert offenders == []


def test_comments_get_a_status_only_when_written():
    """Comment(status=...) is built only by comments.services.post_comment."""
    builders = []
    for module, tree in _modules():
        for name, function in _functions(tree):
            for call in _calls(function, "Comment"):
                if any(keyword.arg == "status" for keyword in call.keywords):
                    builders.append((module, name))
    assert builders == [(APPLY, "post_comment")]
