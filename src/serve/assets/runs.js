"use strict";
// The print-run and campaign panels: what the page sends the server is the
// panel's fields; the server turns them into the command line, checks them
// as the command line is checked, and runs the job. This script shows the
// job's progress by asking for it twice a second while it runs.

const runs = { info: null, timer: null, seen: 0 };

function showPanel(name) {
  for (const tab of ["edit", "print", "campaign", "message"]) {
    $("tab-" + tab).setAttribute("aria-pressed", String(tab === name));
    $("panel-" + tab).hidden = tab !== name;
  }
  if (name === "message") showMessage();
  else if (name !== "edit") refreshRuns();
}

function checks(box, name, items, checked) {
  const before = new Set([...box.querySelectorAll("input:checked")].map((i) => i.value));
  box.replaceChildren(
    ...items.map(([value, label]) => {
      const l = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = name;
      input.value = value;
      input.checked = before.size ? before.has(value) : checked.includes(value);
      l.append(input, " " + label);
      return l;
    }),
  );
}

function ticked(box) {
  return [...$(box).querySelectorAll("input:checked")].map((i) => i.value);
}

// The panel's options, from the content's overview and the server's.
function fillPrint() {
  const o = view.overview;
  if (!o || !runs.info) return;
  const goals = new Map();
  for (const f of o.files) for (const g of f.goals) if (!goals.has(g.id)) goals.set(g.id, g.label);
  checks($("print-goal-ids"), "goal-id", [...goals].map(([id, label]) => [id, `${label} (${id})`]), []);
  checks($("print-papers"), "paper", o.papers.map((p) => [p, p]), ["a4"]);
  checks($("print-layouts"), "layout", o.layouts.map((l) => [l, l]), ["handout"]);
  checks($("print-editions"), "edition", o.editions.map((e) => [e, e]), ["print"]);
  const event = $("print-event");
  const was = event.value;
  fill(event, [["", "None"], ...runs.info.print.events.map((e) => [e, e])], was);
  const off = runs.info.print.off;
  $("print-off").hidden = !off;
  $("print-off").textContent = off || "";
  $("print-start").disabled = Boolean(off) || jobRunning();
}

function printRequest() {
  return {
    goals: document.querySelector('input[name="goals"]:checked').value,
    goal_ids: ticked("print-goal-ids"),
    papers: ticked("print-papers"),
    layouts: ticked("print-layouts"),
    editions: ticked("print-editions"),
    pages: $("print-pages").value,
    booklet: $("print-booklet").checked,
    bleed: $("print-bleed").value,
    event: $("print-event").value,
    out: $("print-out").value,
  };
}

let commandAsked = 0;
async function showCommand() {
  const asked = ++commandAsked;
  const { ok, answer } = await post("/api/print/command", printRequest());
  if (asked !== commandAsked) return;
  $("print-command").textContent = ok ? answer.command : "";
  $("print-problems").textContent = ok ? "" : (answer.errors || []).join("\n\n");
}

async function startPrint(event) {
  event.preventDefault();
  const { ok, answer } = await post("/api/print/start", printRequest());
  if (!ok) {
    $("print-problems").textContent = (answer.errors || ["the print run did not start"]).join("\n\n");
    return;
  }
  $("print-problems").textContent = "";
  showJob(answer.job);
  $("print-job").scrollIntoView({ block: "start" });
  poll();
}

function jobRunning() {
  const job = runs.info && runs.info.job;
  return Boolean(job && job.state === "running");
}

async function refreshRuns() {
  try {
    runs.info = await (await fetch(api("/api/runs"))).json();
  } catch {
    return;
  }
  fillPrint();
  if (typeof fillCampaign === "function") fillCampaign();
  showJob(runs.info.job);
  if (jobRunning()) poll();
}

function poll() {
  if (runs.timer) return;
  runs.timer = setTimeout(async () => {
    runs.timer = null;
    await refreshRuns();
  }, 500);
}

function listItems(list, items, pre) {
  $(list).replaceChildren(
    ...(items.length ? items : ["None."]).map((text) => {
      const li = document.createElement("li");
      if (pre && items.length) {
        const p = document.createElement("pre");
        p.textContent = text;
        li.append(p);
      } else li.textContent = text;
      return li;
    }),
  );
}

const STATES = { running: "Running", done: "Done", failed: "Failed", cancelled: "Cancelled" };

function showJob(job) {
  if (!job || job.kind !== "print") {
    if (typeof showCampaignJob === "function") showCampaignJob(job);
    return;
  }
  $("print-job").hidden = false;
  const running = job.state === "running";
  $("print-start").disabled = running || Boolean(runs.info && runs.info.print.off);
  $("print-cancel").disabled = !running;
  $("print-progress").max = Math.max(job.planned, 1);
  $("print-progress").value = job.done;
  $("print-progress-label").textContent = `Documents: ${job.done} of ${job.planned}`;
  let state = `${STATES[job.state]}: ${job.done} of ${job.planned} documents`;
  if (job.failed) state += `, ${job.failed} failed`;
  $("print-state").textContent = state + (job.errors.length ? "\n" + job.errors.join("\n") : "");
  $("print-state").classList.toggle("bad", job.state === "failed");
  $("print-zip").href = api("/api/zip");
  $("print-zip").hidden = job.files.length === 0;
  $("print-files").replaceChildren(
    ...job.files.map((f, i) => {
      const li = document.createElement("li");
      const open = document.createElement("a");
      open.href = api(`/api/file?n=${i}`);
      open.target = "_blank";
      open.rel = "noopener";
      open.textContent = f.name;
      const down = document.createElement("a");
      down.href = api(`/api/file?n=${i}&download=1`);
      down.textContent = "download";
      down.setAttribute("aria-label", `Download ${f.name}`);
      li.append(open, ` (${f.pages} p., ${Math.ceil(f.bytes / 1024)} KB) `, down);
      return li;
    }),
  );
  listItems("print-warnings", [...job.warnings, ...job.notes], true);
  listItems("print-preflight", job.preflight, true);
}

for (const tab of ["edit", "print", "campaign", "message"]) {
  $("tab-" + tab).addEventListener("click", () => showPanel(tab));
}
$("print-form").addEventListener("change", showCommand);
$("print-form").addEventListener("input", showCommand);
$("print-form").addEventListener("submit", startPrint);
$("print-cancel").addEventListener("click", async () => {
  await post("/api/job/cancel", {});
  poll();
});
refreshRuns().then(showCommand);
