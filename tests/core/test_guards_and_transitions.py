"""Structural rules of STYLE.md, enforced over the source of every module (not only `*.services`):

- a function that declares `@guarded_by(predicate)` calls that predicate, itself or through a
  helper of its own module (the December review found `withdraw_signature` declaring
  `can_sign_petition` and never calling it, so a blocked user could withdraw);
- a public function outside the kernel that writes through the session declares its guard;
- a state or status changes only in its area's transition function, which writes the audit row
  (the review found `expire_due_petitions` assigning `petition.state` and auditing nothing).

Each scan is tested on a small sample first, so that a scan that finds nothing cannot pass for a
codebase without offenders."""

import ast
from pathlib import Path

import participation

PACKAGE = Path(participation.__file__).parent
UNGUARDED = {"SYSTEM", "SELF_SERVICE"}  # declared, with nothing to call (core/permissions.py)

# The package that builds demonstration or benchmark data, run by `flask seed-demo` and `bench/`,
# never by a request: it sets states directly to make history (a consultation whose outcome was
# published last year).
DATA_BUILDERS = "participation/demo/"

# The one place each state or status is assigned, and the record that place must write.
TRANSITIONS = {
    "state": {
        ("participation/consultations/services.py", "_transition"): "record_audit",
        ("participation/petitions/transitions.py", "record_transition"): "record_audit",
    },
    "status": {
        (
            "participation/comments/services.py",
            "change_comment_status",
        ): None,  # its caller records the decision (moderation/test_structure.py)
        ("participation/ogp/services.py", "change_commitment_status"): "record_audit",
        # A held signature counted by a moderator: decide_signature records the SignatureDecision.
        ("participation/petitions/signing.py", "count_held_signature"): None,
        # Mail delivery bookkeeping (queued, sent, failed): no staff action, nothing to audit.
        ("participation/core/mail.py", "deliver"): None,
        ("participation/core/mail.py", "send_due_messages"): None,
    },
}

# Kernel-like building blocks outside core/ that write, always called by a guarded service.
WRITING_BUILDING_BLOCKS = {
    "participation/auth/tokens.py": "e-mail tokens, issued and consumed by the guarded account services",
    "participation/auth/recovery.py": (
        "recovery codes, issued, voided and consumed by the guarded two-factor services"
    ),
    "participation/petitions/transitions.py": (
        "the one place a petition's state changes, called by the area's guarded services"
    ),
    "participation/comments/services.py:change_comment_status": (
        "the overseer's guarded decision services call it (the component knows no moderator)"
    ),
    "participation/petitions/countlog.py:record_removal": (
        "why a counted receipt left the count, written by the guarded withdrawal in its transaction"
    ),
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE.parent).as_posix(), ast.parse(path.read_text())


def _called_name(call):
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)


def _calls(node):
    return {_called_name(child) for child in ast.walk(node) if isinstance(child, ast.Call)}


def _declared_guard(function):
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and _called_name(decorator) == "guarded_by"
            and decorator.args
        ):
            guard = decorator.args[0]
            return guard.attr if isinstance(guard, ast.Attribute) else getattr(guard, "id", None)
    return None


def _functions(tree):
    return {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def _reaches(name, functions, target, seen=None):
    """Whether function `name` calls `target`, directly or through functions of the same module."""
    seen = seen if seen is not None else set()
    if name in seen or name not in functions:
        return False
    seen.add(name)
    called = _calls(functions[name])
    return target in called or any(
        _reaches(other, functions, target, seen) for other in called if other in functions
    )


def _unenforced_guards(module, tree):
    functions = _functions(tree)
    for name, function in functions.items():
        guard = _declared_guard(function)
        if guard and guard not in UNGUARDED and not _reaches(name, functions, guard):
            yield f"{module}:{function.lineno} {name} declares {guard} and never calls it"


def test_the_guard_scan_finds_a_declared_guard_that_is_not_called():
    sample = ast.parse(
        "@guarded_by(perms.can_a)\ndef good(u):\n    _check(u)\n"
        "def _check(u):\n    require(perms.can_a(u))\n"
        "@guarded_by(perms.can_b)\ndef bad(u):\n    require(perms.can_a(u))\n"
        "@guarded_by(SYSTEM)\ndef job():\n    pass\n"
    )
    assert list(_unenforced_guards("sample.py", sample)) == [
        "sample.py:7 bad declares can_b and never calls it"
    ]


def test_every_guarded_function_calls_its_predicate():
    offenders = [line for module, tree in _modules() for line in _unenforced_guards(module, tree)]
    assert offenders == []


def _writes(function):
    for child in ast.walk(function):
        if not (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)):
            continue
        owner = child.func.value
        if (
            child.func.attr in {"add", "add_all", "delete", "merge", "flush"}
            and isinstance(owner, ast.Attribute)
            and owner.attr == "session"
        ):
            return True
        if (
            child.func.attr == "execute"
            and child.args
            and _calls(child.args[0]) & {"insert", "update", "delete", "_upsert"}
        ):
            return True
    return False


def _unguarded_writers(module, tree):
    if module.startswith("participation/core/") or module in WRITING_BUILDING_BLOCKS:
        return
    if module.startswith(DATA_BUILDERS) or Path(module).name in {
        "views.py",
        "officer_views.py",
        "cli.py",
    }:
        return  # views call services (tests/core/test_structure.py); the CLI runs as the system
    for node in tree.body:
        if (
            isinstance(node, ast.FunctionDef)
            and not node.name.startswith("_")
            and _writes(node)
            and _declared_guard(node) is None
            and f"{module}:{node.name}" not in WRITING_BUILDING_BLOCKS
        ):
            yield f"{module}:{node.lineno} {node.name}"


def test_the_writer_scan_finds_an_unguarded_write():
    sample = ast.parse(
        "def bad(x):\n    db.session.add(x)\n"
        "def also_bad(x):\n    db.session.execute(sa.update(T).values(a=1))\n"
        "@guarded_by(SYSTEM)\ndef good(x):\n    db.session.add(x)\n"
        "def reader():\n    return db.session.execute(sa.select(T))\n"
    )
    assert list(_unguarded_writers("participation/area/things.py", sample)) == [
        "participation/area/things.py:1 bad",
        "participation/area/things.py:3 also_bad",
    ]


def test_every_public_function_that_writes_declares_its_guard():
    offenders = [line for module, tree in _modules() for line in _unguarded_writers(module, tree)]
    assert offenders == []


def _assigned_attributes(target):
    """The attribute names an assignment target sets: `a.state`, each of `a.state, b.status = …`;
    not the attributes read inside a subscript (`counts[p.state] += 1`)."""
    if isinstance(target, ast.Attribute):
        yield target.attr
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _assigned_attributes(element)
    elif isinstance(target, ast.Starred):
        yield from _assigned_attributes(target.value)


def _state_changes(node):
    """(line, attribute) for each way of changing a state or status inside `node`: assignment,
    setattr, a bulk UPDATE's values(), raw SQL."""
    for child in ast.walk(node):
        targets = (
            child.targets
            if isinstance(child, ast.Assign)
            else [child.target]
            if isinstance(child, (ast.AugAssign, ast.AnnAssign))
            else []
        )
        for target in targets:
            for attribute in _assigned_attributes(target):
                if attribute in TRANSITIONS:
                    yield child.lineno, attribute
        if isinstance(child, ast.Call):
            name = _called_name(child)
            if (
                name == "setattr"
                and len(child.args) > 1
                and isinstance(child.args[1], ast.Constant)
                and child.args[1].value in TRANSITIONS
            ):
                yield child.lineno, child.args[1].value
            if (
                name == "values"
                and isinstance(child.func, ast.Attribute)
                and "update" in _calls(child.func.value)
            ):
                for keyword in child.keywords:
                    if keyword.arg in TRANSITIONS:
                        yield child.lineno, keyword.arg
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            text = " ".join(child.value.upper().split())
            if text.startswith("UPDATE ") and any(
                f"SET {attribute.upper()}" in text for attribute in TRANSITIONS
            ):
                yield child.lineno, "raw SQL"


def _bypassed_transitions(module, tree):
    if module.startswith(DATA_BUILDERS):
        return
    allowed = {(place, attribute) for attribute, places in TRANSITIONS.items() for place in places}
    for name, function in _functions(tree).items():
        for line, attribute in _state_changes(function):
            if ((module, name), attribute) not in allowed:
                yield f"{module}:{line} {name} changes {attribute}"


def test_the_transition_scan_finds_every_kind_of_bypass():
    sample = ast.parse(
        "def expire(p):\n    p.state = 'expired'\n"
        "def bulk():\n    db.session.execute(sa.update(Petition).where(x).values(state='closed'))\n"
        "def sneaky(c):\n    setattr(c, 'status', 'hidden')\n"
        "def raw():\n    db.session.execute(sa.text('update petitions set state = 1'))\n"
        "def reads(p):\n    return p.state\n"
        "def counts(p, n):\n    n[p.state] += 1\n"
        "def pair(a, b):\n    a.status, b.x = 1, 2\n"
    )
    assert [
        line.split(" ", 1)[0] for line in _bypassed_transitions("participation/x.py", sample)
    ] == [
        "participation/x.py:2",
        "participation/x.py:4",
        "participation/x.py:6",
        "participation/x.py:8",
        "participation/x.py:14",
    ]


def test_states_change_only_in_their_transition_function():
    offenders = [
        line for module, tree in _modules() for line in _bypassed_transitions(module, tree)
    ]
    assert offenders == []


def test_each_transition_function_exists_and_writes_its_record():
    trees = dict(_modules())
    missing = []
    for places in TRANSITIONS.values():
        for (module, name), record in places.items():
            function = _functions(trees[module]).get(name)
            if function is None:
                missing.append(f"{module}: no {name}")
            elif record and record not in _calls(function):
                missing.append(f"{module}: {name} does not call {record}")
    assert missing == []
