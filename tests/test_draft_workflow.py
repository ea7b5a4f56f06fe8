"""The daily drafting workflow: nothing runs without the endpoint secret; one pull request
per drafted paper, with its check report."""

from __future__ import annotations

import re

from test_workflows import load, steps


def test_drafts_daily_and_on_demand_only_when_the_endpoint_is_set() -> None:
    wf = load("draft.yml")
    assert wf["on"]["schedule"] == [{"cron": "41 4 * * *"}]
    assert "limit" in wf["on"]["workflow_dispatch"]["inputs"]
    assert wf["permissions"] == {"contents": "read"}
    gate, job = wf["jobs"]["configured"], wf["jobs"]["draft"]
    assert gate["permissions"] == {}
    (check,) = gate["steps"]
    assert check["env"] == {"BASE_URL": "${{ secrets.PAPERDIGEST_LLM_BASE_URL }}"}
    assert 'if [ -n "$BASE_URL" ]; then' in check["run"]
    assert job["needs"] == "configured"
    assert job["if"] == "needs.configured.outputs.ready == 'true'"
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert job["env"]["PAPERDIGEST_LLM_BASE_URL"] == "${{ secrets.PAPERDIGEST_LLM_BASE_URL }}"
    assert job["env"]["PAPERDIGEST_LLM_API_KEY"] == "${{ secrets.PAPERDIGEST_LLM_API_KEY }}"


def test_refreshes_drafts_and_opens_one_pull_request_per_paper() -> None:
    wf = load("draft.yml")
    runs = [s.get("run", "") for s in steps(wf)]
    order = [next(i for i, r in enumerate(runs) if needle in r) for needle in (
        "paperdigest authors refresh", "paperdigest new", "paperdigest draft --wanted --limit",
        "gh pr create")]
    assert order == sorted(order)
    publish = runs[order[-1]]
    assert 'git commit --quiet -m "Draft digest of arXiv:$id" -- "$file"' in publish
    assert 'paperdigest check "$file"' in publish and "--body-file body.md" in publish
    checkout = next(s for s in steps(wf) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False
    # Inputs reach the shell through the environment, never spliced into a script.
    for run in runs:
        assert not re.search(r"\$\{\{", run), run
