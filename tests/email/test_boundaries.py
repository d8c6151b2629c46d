"""The email package stands on its own: it owns its templates and never imports the web
layer or the worker (they depend on email, not the other way round)."""

import ast
from pathlib import Path

import papertide.email

EMAIL_DIR = Path(papertide.email.__file__).resolve().parent
# The capability's web glue; the app's composition root replaces it.
WEB_GLUE = {"wiring.py"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_email_modules_do_not_import_web_or_worker():
    offending = {
        path.name: sorted(n for n in _imports(path) if n.startswith(("papertide.web", "papertide.worker")))
        for path in EMAIL_DIR.glob("*.py")
        if path.name not in WEB_GLUE
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_every_email_has_subject_text_and_html_templates():
    folders = [p for p in (EMAIL_DIR / "templates").iterdir() if p.is_dir()]
    assert sorted(p.name for p in folders) == ["already_subscribed", "confirm", "digest", "sign_in", "sign_up_closed"]
    assert all({"subject.txt", "body.txt", "body.html"} <= {f.name for f in p.iterdir()} for p in folders)
