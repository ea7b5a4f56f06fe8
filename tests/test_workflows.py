"""The GitHub workflows: safe triggers and permissions, and the linters agree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def test_no_workflow_uses_pull_request_target() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        triggers = load(path.name)["on"]
        assert "pull_request_target" not in triggers, path.name


def test_pr_check_is_read_only_and_runs_everything() -> None:
    wf = load("check.yml")
    assert "pull_request" in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    runs = "\n".join(s.get("run", "") for s in steps(wf))
    assert "paperdigest check --format github" in runs
    assert "mkdocs build --strict" in runs
    assert "pytest" in runs
    checkout = next(s for s in steps(wf) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False


def test_publish_deploys_pages_without_cancelling() -> None:
    wf = load("publish.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    uses = [s.get("uses", "") for s in steps(wf)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert wf["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    runs = "\n".join(s.get("run", "") for s in steps(wf))
    assert 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"' in runs
    setup = next(s for s in steps(wf) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"


def test_yamllint_accepts_config_and_workflows() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "yamllint", "-c", str(REPO / ".yamllint.yaml"),
         str(REPO / "mkdocs.yml"), str(REPO / ".github"), str(REPO / ".pre-commit-config.yaml")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout


def test_zizmor_finds_nothing() -> None:
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    if not Path(zizmor).exists():
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [zizmor, "--offline", "--config", str(REPO / ".github" / "zizmor.yml"), str(WORKFLOWS)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_weekly_refresh_opens_a_pull_request() -> None:
    wf = load("refresh-authors.yml")
    assert wf["on"]["schedule"] == [{"cron": "17 3 * * 1"}]
    job = wf["jobs"]["refresh"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    runs = "\n".join(s.get("run", "") for s in steps(wf))
    assert "paperdigest authors refresh" in runs and "gh pr create" in runs


@pytest.mark.parametrize("name", ["check.yml", "publish.yml"])
def test_workflows_that_build_fetch_the_whole_history(name: str) -> None:
    """The date added of a digest without ``added:`` is the day git first saw its file; a
    shallow clone would date every such digest by its one commit."""
    wf = load(name)
    checkout = next(s for s in steps(wf) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
