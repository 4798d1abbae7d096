"use strict";
// The preview page: asks the server for the chosen document's pages, draws
// them, and draws them again when the server says the inputs changed.

const $ = (id) => document.getElementById(id);
const view = { overview: null, choice: {}, generation: 0, origins: [] };
// Each drawing, for tests and the benchmark: which inputs, and when.
window.handoutDrawn = [];

// The server's secret, from the address it printed: every request of the
// page's own carries it, so that pages of other sites cannot ask.
const TOKEN = new URLSearchParams(location.search).get("token") || "";
function api(path) {
  return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN);
}

function fromHash() {
  return Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
}

function query() {
  const set = Object.entries(view.choice).filter(([, v]) => v !== "" && v !== undefined);
  return new URLSearchParams(set).toString();
}

function fill(select, items, wanted) {
  select.replaceChildren(...items.map(([value, label]) => new Option(label, value)));
  if (wanted !== undefined && items.some(([value]) => value === wanted)) select.value = wanted;
}

async function loadOverview() {
  const o = await (await fetch(api("/api/overview"))).json();
  view.overview = o;
  if (typeof fillPrint === "function") fillPrint();
  if (typeof fillCampaign === "function") fillCampaign();
  view.generation = Math.max(view.generation, o.generation);
  const c = view.choice;
  fill($("file"), o.files.map((f, i) => [String(i), `${f.title} (${f.name})`]), c.file);
  const file = o.files[Number($("file").value)] || { goals: [] };
  fill($("goal"), [["", "Generic"], ...file.goals.map((g) => [g.id, g.label])], c.goal);
  fill($("layout"), o.layouts.map((l) => [l, l]), c.layout || "handout");
  fill($("paper"), o.papers.map((p) => [p, p]), c.paper || "a4");
  fill($("edition"), o.editions.map((e) => [e, e]), c.edition || "print");
  $("recipient-choice").hidden = o.recipients.length === 0;
  fill($("recipient"), [["", "Nobody"], ...o.recipients.map((n, i) => [String(i), n])], c.recipient);
  readControls();
}

function readControls() {
  const ids = ["file", "goal", "layout", "paper", "edition", "recipient"];
  view.choice = Object.fromEntries(ids.map((id) => [id, $(id).value]));
  history.replaceState(null, "", "#" + query());
  $("download").href = api("/api/pdf?" + query());
  // The message tab is there while a recipient is chosen.
  const chosen = view.choice.recipient !== "";
  $("tab-message").hidden = !chosen;
  if (!chosen && !$("panel-message").hidden) showPanel("edit");
  if (chosen && !$("panel-message").hidden) showMessage();
}

// The chosen recipient's message, drawn again with the pages.
function showMessage() {
  const src = api(`/api/message?${query()}&v=${view.generation}`);
  if ($("message").getAttribute("src") !== src) $("message").src = src;
}

let busy = false;
let again = false;
async function render() {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    do {
      again = false;
      const started = performance.now();
      $("status").textContent = "Rendering…";
      const asked = query();
      const response = await fetch(api("/api/render?" + asked));
      if (!response.ok) {
        // A choice the content no longer has (a goal removed, say): the
        // server says which; the controls are read again, and asked once more.
        $("status").textContent = (await response.text()).trim();
        await loadOverview();
        if (query() !== asked) again = true;
        continue;
      }
      await draw(await response.json(), started);
    } while (again);
  } catch (e) {
    // Tried again each second: the server may be restarting.
    $("status").textContent = `No answer from the preview server (${e}); run handout serve again if it stopped.`;
    setTimeout(render, 1000);
  } finally {
    busy = false;
  }
}

// A page's picture for this screen: pixels per point in steps of a
// quarter, so that a resized window does not ask for new pictures at every
// pixel. The address names the generation, so the browser may keep it.
function pageUrl(i, div, page, generation) {
  const wide = (div.clientWidth || 800) * (window.devicePixelRatio || 1);
  const scale = Math.min(4, Math.max(0.5, Math.ceil((4 * Math.min(wide, 800 * 3)) / page.width) / 4));
  return api(`/api/page/${i}?${query()}&v=${generation}&s=${scale}`);
}

async function draw(answer, started) {
  if (answer.errors && answer.errors.length) {
    $("errors").textContent = answer.errors.join("\n\n");
    $("overlay").hidden = false;
    document.body.dataset.state = "error";
    $("status").textContent = "Error: the last good pages are shown";
    record(answer, started);
    return;
  }
  const box = $("pages");
  const decoded = answer.pages.map((page, i) => {
    let div = box.children[i];
    if (!div) {
      div = document.createElement("div");
      div.className = "page";
      div.innerHTML = '<span class="label"></span><img alt=""><div class="text"></div>';
      box.appendChild(div);
    }
    const img = div.querySelector("img");
    const url = pageUrl(i, div, page, answer.generation);
    img.width = page.width;
    img.height = page.height;
    img.style.width = "100%";
    img.style.height = "auto";
    img.alt = `Page ${i + 1}`;
    // A page in view is loaded off screen first, so that the old one stays
    // until the new one is ready and nothing jumps; the others load when
    // scrolled to, and are not waited for.
    const rect = div.getBoundingClientRect();
    if (rect.bottom < 0 || rect.top > window.innerHeight) {
      img.loading = "lazy";
      img.src = url;
      return Promise.resolve({ div, page });
    }
    const next = new Image();
    next.src = url;
    return next.decode().catch(() => {}).then(() => {
      img.src = url;
      return { div, page };
    });
  });
  const drawn = await Promise.all(decoded);
  while (box.children.length > answer.pages.length) box.lastChild.remove();
  view.origins = answer.origins;
  drawn.forEach(({ div, page }, i) => {
    const sparse = page.fill < 0.3;
    const label = div.querySelector(".label");
    label.textContent = `Page ${i + 1} of ${answer.pages.length} · ${Math.round(page.fill * 100)}% full`;
    label.classList.toggle("sparse", sparse);
    textLayer(div.querySelector(".text"), page);
  });
  $("fills").replaceChildren(
    ...answer.pages.map((p) => {
      const li = document.createElement("li");
      li.textContent = `${Math.round(p.fill * 100)}% full${p.fill < 0.3 ? ": nearly empty" : ""}`;
      if (p.fill < 0.3) li.className = "sparse";
      return li;
    }),
  );
  const warnings = $("warnings");
  if (answer.warnings.length) {
    const pre = document.createElement("pre");
    pre.textContent = answer.warnings.join("\n\n");
    warnings.replaceChildren(pre);
  } else {
    warnings.innerHTML = '<p class="quiet">None.</p>';
  }
  $("overlay").hidden = true;
  document.body.dataset.state = "ok";
  document.body.dataset.pages = String(answer.pages.length);
  record(answer, started);
}

function record(answer, started) {
  const ms = Math.round(performance.now() - started);
  window.handoutDrawn.push({ generation: answer.generation, at: Date.now(), ms });
  document.body.dataset.generation = String(answer.generation);
  if (!answer.errors || !answer.errors.length) {
    $("status").textContent = `${answer.pages.length} pages · drawn in ${ms} ms`;
  }
}

// Invisible text over each run, to click on (and for tests to read).
function textLayer(layer, page) {
  layer.replaceChildren(
    ...page.runs.map(([x, y, w, h, text, src]) => {
      const span = document.createElement("span");
      span.textContent = text;
      span.style.left = `${(x / page.width) * 100}%`;
      span.style.top = `${(y / page.height) * 100}%`;
      span.style.width = `${(w / page.width) * 100}%`;
      span.style.height = `${(h / page.height) * 100}%`;
      span.style.fontSize = "1px";
      if (src !== null) {
        span.dataset.src = String(src);
        // Traced text can be reached and edited from the keyboard.
        span.tabIndex = 0;
      }
      return span;
    }),
  );
}

// Where a run of text came from, for tests: null for the layout's own.
window.handoutOrigin = (span) =>
  span.dataset.src === undefined ? null : view.origins[Number(span.dataset.src)];

function showOrigin(span) {
  document.querySelectorAll(".text span.picked").forEach((s) => s.classList.remove("picked"));
  span.classList.add("picked");
  const out = $("origin");
  const o = span.dataset.src === undefined ? null : view.origins[Number(span.dataset.src)];
  const quote = document.createElement("q");
  quote.textContent = span.textContent.trim();
  if (!o) {
    out.replaceChildren(quote, " is written by the layout itself (from other values, or its own words).");
  } else if (o.kind === "recipient" || o.kind === "event") {
    const where = document.createElement("code");
    where.textContent = `${o.file}:${o.line}`;
    const what = o.kind === "recipient" ? `the recipients file (column ${o.path})` : `the event file (${o.path})`;
    out.replaceChildren(quote, " comes from ", where, `, ${what}. That file is read-only on the page: edit it in a text editor or spreadsheet.`);
  } else if (o.kind === "label") {
    const code = document.createElement("code");
    code.textContent = o.path;
    out.replaceChildren(quote, " is a label of the layouts: key ", code, ` in ${o.file}.`);
  } else {
    const where = document.createElement("code");
    where.textContent = `${o.file}:${o.line}:${o.column}`;
    const path = document.createElement("code");
    path.textContent = o.path;
    out.replaceChildren(quote, " comes from ", where, " at ", path, ".");
  }
  out.dataset.file = o ? o.file : "";
  out.dataset.line = o ? String(o.line) : "";
  out.dataset.path = o ? o.path : "";
}

// The editor of the value a traced run came from: what it edits, and the
// file's hash when it opened, so that a change saved elsewhere since is
// never overwritten.
const editing = { file: null, path: null, hash: null, entry: null, label: false };

async function openEditor(o) {
  const form = $("editor");
  const message = $("edit-message");
  message.textContent = "";
  message.classList.remove("bad");
  if (!o || o.kind === "recipient" || o.kind === "event") {
    form.hidden = true;
    return;
  }
  // A label of the layouts is written into this content file's `labels:`,
  // for this page only; the catalogs are never written.
  const label = o.kind === "label";
  const file = view.choice.file || "0";
  const params = label ? new URLSearchParams({ file, key: o.path }) : new URLSearchParams({ file, path: o.path });
  const response = await fetch(api((label ? "/api/label-value?" : "/api/value?") + params));
  const answer = await response.json();
  if (!response.ok || !answer.editable) {
    form.hidden = true;
    const why = document.createElement("p");
    why.className = "quiet";
    why.textContent = answer.why || answer.error || "This text cannot be edited on the page.";
    $("origin").append(why);
    return;
  }
  // A value inside a list's entry (an FAQ entry, a course) offers the
  // entry's own actions.
  const entry = label ? null : (o.path.match(/^(.*\[\d+\])/) || [])[1] || null;
  Object.assign(editing, { file: Number(file), path: o.path, hash: answer.hash, entry, label });
  $("list-actions").hidden = !entry;
  $("entry-name").textContent = entry ? `Entry ${entry}:` : "";
  form.hidden = false;
  const field = $("edit-value");
  field.value = answer.value;
  field.focus();
}

async function post(path, body) {
  const response = await fetch(api(path), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Handout-Token": TOKEN },
    body: JSON.stringify(body),
  });
  return { ok: response.ok, answer: await response.json().catch(() => ({})) };
}

function say(text, bad) {
  const message = $("edit-message");
  message.textContent = text;
  message.classList.toggle("bad", bad);
}

async function saveEdit() {
  // When the save was asked for, for the benchmark.
  window.handoutSaveAsked = Date.now();
  const value = $("edit-value").value;
  const { ok, answer } = editing.label
    ? await post("/api/label", { file: editing.file, key: editing.path, value, hash: editing.hash })
    : await post("/api/edit", { file: editing.file, path: editing.path, value, hash: editing.hash });
  if (!ok) {
    // The text stays in the field: nothing typed is lost.
    say(answer.error || "Not saved.", true);
    return;
  }
  editing.hash = answer.hash;
  const warned = answer.warnings && answer.warnings.length;
  say(warned ? "Saved, with warnings:\n" + answer.warnings.join("\n") : "Saved.", false);
}

$("editor").addEventListener("submit", (e) => {
  e.preventDefault();
  saveEdit();
});
$("edit-value").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    saveEdit();
  } else if (e.key === "Escape") {
    e.preventDefault();
    $("editor").hidden = true;
  }
});
$("edit-cancel").addEventListener("click", () => {
  $("editor").hidden = true;
});
$("edit-undo").addEventListener("click", async () => {
  const { ok, answer } = await post("/api/undo", { file: editing.file ?? Number(view.choice.file || 0) });
  if (ok) editing.hash = answer.hash;
  say(ok ? "The last edit was undone." : answer.error || "Nothing undone.", !ok);
});

for (const button of document.querySelectorAll("#list-actions button")) {
  button.addEventListener("click", async () => {
    const op = button.dataset.op;
    const { ok, answer } = await post("/api/list", {
      file: editing.file,
      path: editing.entry,
      op,
      hash: editing.hash,
    });
    if (!ok) {
      say(answer.error || "Not changed.", true);
      return;
    }
    editing.hash = answer.hash;
    const done = { add: "A new entry was added after it, with placeholder texts to replace.", duplicate: "The entry was duplicated.", remove: "The entry was removed." }[op];
    const note = document.createElement("p");
    note.id = "list-done";
    note.setAttribute("role", "status");
    note.textContent = done;
    $("origin").append(note);
    if (op === "remove") {
      // Its places have moved: the editor closes.
      $("editor").hidden = true;
      return;
    }
    // The same field of the new entry, ready to fill in.
    const [, list, index] = editing.entry.match(/^(.*)\[(\d+)\]$/);
    const next = `${list}[${Number(index) + 1}]${editing.path.slice(editing.entry.length)}`;
    await openEditor({ kind: "content", path: next });
  });
}

function pick(span) {
  showOrigin(span);
  const o = span.dataset.src === undefined ? null : view.origins[Number(span.dataset.src)];
  openEditor(o);
}

document.addEventListener("click", (e) => {
  if (e.target.matches(".text span")) pick(e.target);
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && e.target.matches(".text span")) {
    e.preventDefault();
    pick(e.target);
  }
});

for (const id of ["file", "goal", "layout", "paper", "edition", "recipient"]) {
  $(id).addEventListener("change", async () => {
    if (id === "file") {
      view.choice.file = $("file").value;
      view.choice.goal = "";
      await loadOverview();
    }
    readControls();
    render();
  });
}

async function start() {
  view.choice = fromHash();
  await loadOverview();
  await render();
  const events = new EventSource(api("/events"));
  events.onmessage = async (e) => {
    const generation = Number(e.data);
    if (generation > view.generation) {
      view.generation = generation;
      // The pages first; the choices (new goals, new files) beside them.
      render();
      loadOverview();
      if (!$("panel-message").hidden) showMessage();
    }
  };
}

start();
