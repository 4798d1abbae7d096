"use strict";
// The campaign panel: drafts, their review, a test message, and the send
// with its live counts. The mail server and its login are the server's own;
// this page names only folders, files and the drafts' wording.

const campaign = { status: null, filled: false, timer: null };
const FIELDS = {
  dir: "c-dir", from: "c-from", campaign: "c-campaign", subject: "c-subject",
  unsubscribe: "c-unsubscribe", unsubscribe_mailto: "c-unsubscribe-mailto",
  suppress: "c-suppress", body: "c-body", html_body: "c-html-body",
  layout: "c-layout", paper: "c-paper",
};

function campaignRequest() {
  const r = { transactional: $("c-transactional").checked };
  for (const [key, id] of Object.entries(FIELDS)) r[key] = $(id).value;
  return r;
}

// Fills the form from `serve`'s options, once.
function fillCampaign() {
  if (!runs.info || !runs.info.campaign) return;
  $("tab-campaign").hidden = false;
  if (campaign.filled || !view.overview) return;
  campaign.filled = true;
  fill($("c-layout"), view.overview.layouts.map((l) => [l, l]), "handout");
  fill($("c-paper"), view.overview.papers.map((p) => [p, p]), "a4");
  refreshCampaign(true);
}

async function refreshCampaign(first) {
  const dir = first ? "" : $("c-dir").value;
  const answer = await fetch(api("/api/campaign/status?dir=" + encodeURIComponent(dir)));
  const s = await answer.json();
  if (!answer.ok) {
    $("c-problems").textContent = (s.errors || []).join("\n");
    return;
  }
  if (first) {
    for (const [key, id] of Object.entries(FIELDS)) if (s.defaults[key]) $(id).value = s.defaults[key];
    $("c-transactional").checked = s.defaults.transactional;
    showCampaignCommand();
  }
  campaign.status = s;
  showCampaign();
}

let campaignAsked = 0;
async function showCampaignCommand() {
  const asked = ++campaignAsked;
  const { ok, answer } = await post("/api/campaign/command", campaignRequest());
  if (asked !== campaignAsked) return;
  $("c-command").textContent = ok ? `${answer.build}\n${answer.send}` : "";
  $("c-problems").textContent = ok ? "" : (answer.errors || []).join("\n\n");
}

function waiting(s) {
  return (s.counts.pending || 0) + (s.counts.deferred || 0);
}

function showCampaign() {
  const s = campaign.status;
  if (!s) return;
  $("c-off").hidden = !s.off;
  $("c-off").textContent = s.off || "";
  const job = runs.info && runs.info.job;
  const sending = Boolean(job && job.kind === "send" && job.state === "running");
  $("c-review").hidden = s.drafts.length === 0;
  const sheet = api(`/review/${encodeURIComponent(TOKEN)}/outbox.html`).split("?")[0];
  $("c-review-open").href = sheet;
  if (s.review && $("c-sheet").dataset.src !== sheet + s.drafts.length) {
    $("c-sheet").src = sheet;
    $("c-sheet").dataset.src = sheet + s.drafts.length;
  }
  const chosen = $("c-test-draft").value;
  fill($("c-test-draft"), s.drafts.map((d) => [d.file, `${d.to} (${d.file})`]), chosen);
  const c = s.counts;
  $("c-counts").textContent = `${c.sent} sent, ${c.pending} pending, ${c.refused} refused, ${c.deferred} deferred, ${c.unknown} unknown, ${c.suppressed} suppressed`;
  const n = waiting(s);
  const resume = c.sent + c.unknown + c.refused > 0;
  $("c-send").textContent = n === 0 ? "Nothing to send" : resume ? `Resume: send the ${n} left` : `Send to ${n} ${n === 1 ? "person" : "people"}`;
  $("c-send").disabled = n === 0 || sending || Boolean(s.off) || (s.lock.held && !sending);
  $("c-pause").disabled = !sending;
  $("c-test").disabled = Boolean(s.off) || sending;
  let lock = "";
  if (s.lock.held && !sending) lock = `Another send is using this folder (${s.lock.by || "a process"}): wait for it to finish.`;
  else if (s.lock.stale) lock = `A send by ${s.lock.stale} ended without finishing (killed or crashed). Its last message is counted as unknown and is not sent again; Resume sends the rest.`;
  else if (c.unknown && !sending) lock = `${c.unknown} unknown: an earlier send may have delivered ${c.unknown === 1 ? "it" : "them"}; ${c.unknown === 1 ? "it is" : "they are"} not sent again.`;
  $("c-lock").textContent = lock;
}

function showCampaignJob(job) {
  if (!job) return;
  if (job.kind === "drafts") {
    const total = job.planned ? ` ${job.done} of ${job.planned}` : "";
    $("c-build-state").textContent = `${STATES[job.state]}: drafts${total}` + (job.errors.length ? "\n" + job.errors.join("\n") : "");
    $("c-build-state").classList.toggle("bad", job.state === "failed");
    $("c-build").disabled = job.state === "running";
  }
  if (job.kind === "send") {
    $("c-progress").max = Math.max(job.planned, 1);
    $("c-progress").value = job.done;
    const state = job.state === "cancelled" ? "Paused" : STATES[job.state];
    $("c-progress-label").textContent = `Messages: ${job.done} of ${job.planned} (${state})`;
    listItems("c-lines", [...job.notes, ...job.warnings, ...job.errors], false);
  }
  if (!$("panel-campaign").hidden) refreshCampaign(false);
}

async function campaignPost(path, extra) {
  const { ok, answer } = await post(path, { ...campaignRequest(), ...extra });
  if (!ok) $("c-problems").textContent = (answer.errors || [`${path} failed`]).join("\n\n");
  else $("c-problems").textContent = "";
  return { ok, answer };
}

$("tab-campaign").addEventListener("click", () => refreshCampaign(false));
$("campaign-form").addEventListener("input", showCampaignCommand);
$("campaign-form").addEventListener("change", () => {
  showCampaignCommand();
  refreshCampaign(false);
});
$("campaign-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { ok, answer } = await campaignPost("/api/campaign/drafts", {});
  if (ok) {
    showJob(answer.job);
    poll();
  }
});
$("c-test").addEventListener("click", async () => {
  $("c-test-result").textContent = "Sending the test…";
  const { ok, answer } = await campaignPost("/api/campaign/test", { file: $("c-test-draft").value, to: $("c-test-to").value });
  $("c-test-result").textContent = ok
    ? `Test sent to ${answer.sent.to} (${answer.sent.message_id}); the server said ${answer.sent.reply}. The real message is still to send.`
    : "The test was not sent: see above.";
});
$("c-send").addEventListener("click", () => {
  const s = campaign.status;
  const n = waiting(s);
  $("c-confirm-text").textContent = `Send ${n} ${n === 1 ? "message" : "messages"} through ${s.server} from ${$("c-from").value || "the sender of the drafts"}? Each person gets one message, once.`;
  $("c-confirm").showModal();
});
$("c-confirm-no").addEventListener("click", () => $("c-confirm").close());
$("c-confirm-yes").addEventListener("click", async () => {
  $("c-confirm").close();
  const { ok, answer } = await campaignPost("/api/campaign/send", { confirm: waiting(campaign.status) });
  if (ok) {
    showJob(answer.job);
    poll();
  } else refreshCampaign(false);
});
$("c-pause").addEventListener("click", async () => {
  await post("/api/job/cancel", {});
  poll();
});
