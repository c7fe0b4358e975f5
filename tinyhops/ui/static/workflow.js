// One workflow: its DAG laid out by dagre (vendored from npm), each step coloured by status, kept live by the
// server's events (/api/workflows/ID/events); a click on a step shows its attempts, params, result and outputs.
"use strict";
const summary = document.getElementById("summary");
const workflowId = summary.dataset.workflow;
const svg = document.getElementById("dag");
const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 150, NODE_H = 30;
let state = null, selected = null, drawnShape = null;
const nodes = new Map();

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}
function text(tag, content, cls) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (cls) node.className = cls;
  return node;
}
const when = (t) => (t ? new Date(t * 1000).toLocaleTimeString() : "-");

function layout(steps) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 8, ranksep: 40, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const s of steps) g.setNode(String(s.index), { width: NODE_W, height: NODE_H });
  for (const s of steps) for (const n of s.needs) g.setEdge(String(n), String(s.index));
  dagre.layout(g);
  svg.replaceChildren();
  nodes.clear();
  const graph = g.graph();
  svg.setAttribute("width", graph.width);
  svg.setAttribute("height", graph.height);
  svg.setAttribute("viewBox", `0 0 ${graph.width} ${graph.height}`);
  const edges = el("g", {}, svg);
  for (const e of g.edges()) {
    const pts = g.edge(e).points.map((p) => `${p.x},${p.y}`).join(" L");
    el("path", { class: "edge", d: `M${pts}` }, edges);
  }
  for (const s of steps) {
    const n = g.node(String(s.index));
    const group = el("g", { class: "node", transform: `translate(${n.x - NODE_W / 2},${n.y - NODE_H / 2})`,
                            "data-step": s.id, "data-index": s.index }, svg);
    el("rect", { width: NODE_W, height: NODE_H }, group);
    const label = el("text", { x: 6, y: 19 }, group);
    group.addEventListener("click", () => { selected = s.index; showStep(); paint(); });
    nodes.set(s.index, { group, label });
  }
}

function paint() {
  for (const s of state.steps) {
    const node = nodes.get(s.index);
    node.group.setAttribute("class", `node ${s.status}${selected === s.index ? " selected" : ""}`);
    node.group.setAttribute("data-status", s.status);
    node.label.textContent = `${s.label} ${s.module.split(":")[0]} · ${s.status}${s.cached ? " (cached)" : ""}`;
  }
}

function showSummary() {
  const w = state.workflow;
  summary.replaceChildren(
    text("b", `Workflow ${w.id}: `), text("span", w.status, `status ${w.status}`),
    text("span", w.run > 1 ? ` run ${w.run}` : "", "run"),
    text("span", `  ${w.progress} done, ${w.in_flight} running, ${w.queued_exact ? "" : "at most "}${w.queued} queued · owner ${w.owner}` +
                 ` · started ${when(w.started)} · finished ${when(w.finished)}`));
  summary.dataset.status = w.status;
  document.getElementById("money").textContent =
    `deposit ${w.deposit.text}, spent ${w.spent.text}, escrow ${w.escrow.text}, refunded ${w.refunded.text}; ` +
    `${state.payments.length} payments to Lilypad, ${state.refunds.length} refunds`;
  const timeline = document.getElementById("timeline");
  timeline.replaceChildren();
  for (const e of state.timeline) {
    const row = timeline.insertRow();
    row.insertCell().textContent = e.block;
    row.insertCell().textContent = when(e.time);
    row.insertCell().textContent = e.event;
    const args = Object.entries(e.args).filter(([k]) => k !== "workflowId").map(([k, v]) => `${k}=${v}`);
    row.insertCell().textContent = args.join(" ").slice(0, 300);
  }
}

async function showOutputs(cid, into) {
  const answer = await fetch(`/api/content/${cid}`);
  if (!answer.ok) { into.appendChild(text("p", "(not in the local content store)")); return; }
  const listing = await answer.json();
  const walk = async (prefix, entries) => {
    const list = document.createElement("ul");
    into.appendChild(list);
    for (const entry of entries) {
      const path = `${prefix}/${entry.name}`;
      const item = document.createElement("li");
      const link = text("a", entry.name + (entry.directory ? "/" : ""));
      link.href = `/content/${path}`;
      item.append(link, text("span", ` ${entry.size} bytes`));
      list.appendChild(item);
      if (entry.directory) {
        const sub = await (await fetch(`/api/content/${path}`)).json();
        await walk(path, sub.entries || []);
      } else if (/\.(png|jpe?g|gif|webp)$/i.test(entry.name)) {
        const img = document.createElement("img"); img.src = `/content/${path}`; img.alt = path; item.appendChild(img);
      } else if (/\.(mp3|wav|ogg|flac)$/i.test(entry.name)) {
        const audio = document.createElement("audio"); audio.controls = true; audio.src = `/content/${path}`;
        item.appendChild(audio);
      } else if (/\.(mp4|webm|mov)$/i.test(entry.name)) {
        const video = document.createElement("video"); video.controls = true; video.src = `/content/${path}`;
        item.appendChild(video);
      } else if (entry.size > 0 && entry.size < 65536) {
        const body = await (await fetch(`/content/${path}`)).text();
        item.appendChild(text("pre", body));
      }
    }
  };
  if (listing.entries) await walk(cid, listing.entries);
}

function showStep() {
  const panel = document.getElementById("step");
  const s = state.steps.find((x) => x.index === selected);
  if (!s) return;
  panel.replaceChildren(
    text("p", `step ${s.label} (position ${s.index}) · ${s.module} · ${s.status} · attempts ${s.attempts}` +
              (s.cached ? ` · served from the cache (job ${s.job_id})` : ` · job ${s.attempts ? s.job_id : "-"}`) +
              ` · cost ${s.cost.text} · timeout ${s.timeout || "none"}` +
              ` · retries ${s.retries} · dispatched ${when(s.dispatched_at)} · completed ${when(s.completed_at)}`),
    text("p", "params (resolved):"), text("pre", s.params || "(not dispatched yet)"));
  if (s.cid) {
    const p = text("p", "result ");
    const link = text("a", s.cid, "mono cid"); link.href = `/content/${s.cid}`;
    p.appendChild(link); panel.appendChild(p);
  }
  const attempts = document.createElement("table");
  for (const a of s.history) {
    const row = attempts.insertRow();
    for (const v of [`run ${a.run} #${a.attempt}`, `job ${a.job_id}`, a.cost.text, a.outcome, a.reason, when(a.dispatched_at),
                     when(a.ended_at)]) row.insertCell().textContent = v;
  }
  panel.appendChild(attempts);
  const outputs = document.createElement("div"); outputs.className = "outputs";
  panel.appendChild(outputs);
  if (s.cid) showOutputs(s.cid, outputs);
}

function render(next) {
  const shape = next.steps.map((s) => `${s.index}:${s.needs.join(",")}`).join(";");
  const previousCid = state && selected !== null ? state.steps[selected].cid : null;
  state = next;
  if (shape !== drawnShape) { layout(state.steps); drawnShape = shape; }
  paint();
  showSummary();
  if (selected !== null && state.steps[selected].cid !== previousCid) showStep();
  document.body.dataset.rendered = String(Date.now());
  if (!readyMarked) markReady();
}

// The page is ready once the first state is laid out and painted: the frame after the layout has been drawn
// (a task queued from requestAnimationFrame runs after that frame's paint). `data-ready` holds the time in
// milliseconds since navigation start (performance.now()); `ape run bench_ui` reads it.
let readyMarked = false;
function markReady() {
  readyMarked = true;
  requestAnimationFrame(() => setTimeout(() => { document.body.dataset.ready = performance.now().toFixed(1); }));
}

const source = new EventSource(`/api/workflows/${workflowId}/events`);
source.addEventListener("state", (message) => render(JSON.parse(message.data)));

const token = document.querySelector('meta[name="csrf-token"]');
for (const button of document.querySelectorAll(".actions button")) {
  button.addEventListener("click", async () => {
    const answer = await fetch(`/workflows/${workflowId}/${button.dataset.action}`,
                               { method: "POST", headers: { "X-CSRF-Token": token ? token.content : "" } });
    const body = await answer.json();
    if (!answer.ok) alert(body.error);
  });
}
