"""The GitHub integration files: well-formed, and in step with the format and the commands."""

from __future__ import annotations

import re

import yaml
from conftest import REPO

from kbtools.model import FrontMatter, Symptom

GITHUB = REPO / ".github"


def _yaml(path: str) -> object:
    return yaml.safe_load((REPO / path).read_text(encoding="utf-8"))


def test_issue_form_fields_map_onto_entry_fields() -> None:
    form = _yaml(".github/ISSUE_TEMPLATE/report-a-problem.yml")
    assert isinstance(form, dict)
    ids = [item["id"] for item in form["body"] if "id" in item]
    entry_fields = set(FrontMatter.model_fields) | set(Symptom.model_fields) | {"cause", "fix", "checks"}
    assert set(ids) <= entry_fields, set(ids) - entry_fields
    for required in ("product", "component", "title", "output", "command", "log", "environment", "status"):
        assert required in ids
    text = (REPO / ".github/ISSUE_TEMPLATE/report-a-problem.yml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"\s+(- type|id):", line) and "id:" in line and "checks" not in line:
            assert "# entry: " in line, f"say which entry field this maps onto: {line.strip()}"


def test_issue_form_offers_the_products_and_components_of_the_kb() -> None:
    form = _yaml(".github/ISSUE_TEMPLATE/report-a-problem.yml")
    products = _yaml("entries/products.yml")
    assert isinstance(form, dict) and isinstance(products, dict)
    options = {item["id"]: item["attributes"].get("options") for item in form["body"] if "id" in item}
    assert options["product"] == list(products)
    # Component names repeat across products (`sync`), so the form offers `product/component`.
    assert options["component"] == [f"{name}/{c}" for name, p in products.items() for c in p["components"]]


def test_pr_workflow_runs_every_check() -> None:
    workflow = _yaml(".github/workflows/pr.yml")
    assert isinstance(workflow, dict)
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["check"]["steps"]
    runs = [step.get("run", "") for step in steps]
    for command in ("kb validate", "kb fmt --check", "kb check-pr", "python -m pytest", "mkdocs build --strict"):
        assert any(run.startswith(command) for run in runs), command
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert workflow["permissions"] == {"contents": "read"}
    assert "${{" not in " ".join(runs), "pass expressions through env:, never into a shell line"


def test_pull_request_template_asks_what_the_issue_asks() -> None:
    text = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    for heading in ("## Checked", "## Versions", "## Translation"):
        assert heading in text
    assert "machine-translated" in text


def test_codeowners_has_an_owner_per_language() -> None:
    text = (GITHUB / "CODEOWNERS").read_text(encoding="utf-8")
    rules = [line.split() for line in text.splitlines() if line and not line.startswith("#")]
    owners = {rule[0]: rule[1:] for rule in rules}
    assert any(o.endswith("-zh") for o in owners["/entries/"]) and any(o.endswith("-en") for o in owners["/entries/"])
    assert owners["/kb/zh/"] == ["@kb-troubleshooting/reviewers-zh"]
    assert owners["/kb/en/"] == ["@kb-troubleshooting/reviewers-en"]


def test_pre_commit_hooks_for_other_repositories() -> None:
    hooks = _yaml(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    assert {h["id"]: h["entry"] for h in hooks} == {"kb-validate": "kb validate", "kb-fmt": "kb fmt"}
    for hook in hooks:
        assert re.search(hook["files"], "entries/kong/postgres-to-regclass.md")
        assert not re.search(hook["files"], "README.md")
    config = _yaml(".pre-commit-config.yaml")
    assert isinstance(config, dict)
    local = {h["id"]: h["entry"] for repo in config["repos"] for h in repo["hooks"]}
    assert local["kb-validate"] == "kb validate" and local["kb-fmt"] == "kb fmt"
