"""The dashboard in a real browser (Playwright driving Debian's chromium headless, no browser download): the
workflows list, a workflow page whose step colours change while the real provider runs the workflow, the sdxl
step's picture shown inline, and a 200-step fan-out laid out readably. Screenshots are saved as artifacts in
$TINYHOPS_ARTIFACTS (default: the test's tmp folder, `artifacts/`); docs/dashboard.png is the top of
workflow-completed.png."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tinyhops import spec
from tinyhops.spec.sample import sample_document
from tinyhops.testing import shapes

OWNER = 1
WAIT_MS = 120_000


def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TINYHOPS_ARTIFACTS") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def statuses(page: Page) -> dict[str, str]:
    script = "ns => Object.fromEntries(ns.map(n => [n.dataset.step, n.dataset.status]))"
    return page.eval_on_selector_all("#dag g.node", script)


def test_the_list_and_a_live_workflow_page_with_its_picture(
    harness: Any, dashboard: str, page: Page, tmp_path: Path
) -> None:
    folder = artifacts(tmp_path)
    workflow_id, _ = harness.stack.submit(harness.keys[OWNER], spec.load(sample_document()))
    page.goto(f"{dashboard}/workflows/{workflow_id}")
    page.wait_for_function("document.querySelectorAll('#dag g.node[data-status]').length === 4", timeout=WAIT_MS)
    before = statuses(page)
    assert sorted(before.values()) == ["dispatched", "dispatched", "waiting", "waiting"], before
    waiting_fill = page.eval_on_selector("#dag g.node[data-status=waiting] rect", "r => getComputedStyle(r).fill")
    page.screenshot(path=str(folder / "workflow-running.png"), full_page=True)

    harness.start_provider().wait_ready()
    page.wait_for_function(
        "[...document.querySelectorAll('#dag g.node')].every(n => n.dataset.status === 'completed')", timeout=WAIT_MS
    )
    done_fill = page.eval_on_selector("#dag g.node rect", "r => getComputedStyle(r).fill")
    assert done_fill != waiting_fill
    assert "completed" in page.inner_text("#summary")

    page.click("#dag g.node[data-step='2']")  # the sdxl step: its PNG, inline
    page.wait_for_function("(() => { const i = document.querySelector('#step img'); "
                           "return i && i.complete && i.naturalWidth > 0; })()", timeout=WAIT_MS)
    assert page.eval_on_selector("#step img", "i => i.naturalWidth") == 512
    assert page.inner_text("#step").count("outputs") >= 1
    page.screenshot(path=str(folder / "workflow-completed.png"), full_page=True)

    page.goto(dashboard + "/")
    row = page.locator(f"#workflows tr:has(a[href='/workflows/{workflow_id}'])")
    assert "completed" in row.inner_text() and "4/4" in row.inner_text()
    page.goto(dashboard + "/?status=failed")
    assert page.locator(f"#workflows a[href='/workflows/{workflow_id}']").count() == 0
    page.screenshot(path=str(folder / "workflows.png"), full_page=True)


def test_a_200_step_fan_out_is_laid_out_readably(harness: Any, dashboard: str, page: Page, tmp_path: Path) -> None:
    workflow_id, _ = harness.stack.submit(harness.keys[OWNER], spec.load(shapes.fan_out(198)))
    page.goto(f"{dashboard}/workflows/{workflow_id}")
    page.wait_for_function("document.body.dataset.ready !== undefined", timeout=WAIT_MS)  # bench_ui's mark
    assert page.eval_on_selector_all("#dag g.node[data-status]", "ns => ns.length") == 200
    boxes = page.eval_on_selector_all(
        "#dag g.node rect",
        "rs => rs.map(r => { const b = r.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; })",
    )
    overlapping = [
        (a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]
        if a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
    ]
    assert overlapping == []
    font = page.eval_on_selector("#dag g.node text", "t => parseFloat(getComputedStyle(t).fontSize)")
    assert font >= 10
    labels = page.eval_on_selector_all("#dag g.node text", "ts => ts.map(t => t.textContent)")
    assert all(label.split()[0].isdigit() for label in labels) and len(set(labels)) == 200
    page.screenshot(path=str(artifacts(tmp_path) / "fan-out-200.png"), full_page=True)
