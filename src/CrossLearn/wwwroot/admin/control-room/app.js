// CrossLearn control room: plain JavaScript, no build step. Reads the API with the signed-in token, then applies
// what the live stream (/api/stream) says to what it shows: a memory, a turn, a pattern arrive whole in the event and
// are drawn without asking the API again. Figures computed by the server (percentiles, population) are fetched
// again, at most every 250 ms however many events arrive (a dirty set).
"use strict";

const state = { token: null, me: null, viewing: null, stream: null, conversations: [], memories: [], patterns: [], knowledge: [], experiments: [] };
const $ = (selector) => document.querySelector(selector);

function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
const percent = (value) => (value == null ? "—" : `${Math.round(value * 1000) / 10}%`);
const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" }) : "—");

function claims(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch {
    return null;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: `Bearer ${state.token}`, "Content-Type": "application/json", ...(options.headers || {}) },
  });
  if (response.status === 401) {
    signOut("Your token was refused (expired or not valid). Sign in again.");
    throw new Error("unauthorized");
  }
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
    throw Object.assign(new Error(detail), { status: response.status });
  }
  return response.status === 204 ? null : response.json();
}

function panel(name, html) {
  $(`#panel-${name} .body`).innerHTML = html;
}

async function load(name, loader) {
  try {
    await loader();
  } catch (error) {
    if (error.message !== "unauthorized") panel(name, `<p class="error">Could not load: ${escapeHtml(error.message)}</p>`);
  }
}

const viewingSelf = () => state.viewing === state.me.sub;
const userPath = (what) => (viewingSelf() ? `/api/me/${what}` : `/api/admin/users/${encodeURIComponent(state.viewing)}/${what}`);

async function loadProfile() {
  await load("profile", async () => {
    if (viewingSelf()) {
      const me = await api("/api/me");
      panel("profile", `<table>
        <tr><th>User</th><td data-testid="profile-user">${escapeHtml(me.userId)}</td></tr>
        <tr><th>Role</th><td>${escapeHtml(me.role)}</td></tr>
        <tr><th>Memories</th><td>${me.memoryCount}</td></tr>
        <tr><th>Turns</th><td>${me.interactionCount}</td></tr>
        <tr><th>First seen</th><td>${when(me.firstSeenAt)}</td></tr>
        <tr><th>Last seen</th><td>${when(me.lastSeenAt)}</td></tr></table>
        <details class="erase"><summary>Erase my account…</summary>
          <p>Deletes every turn, memory and rating of yours, and your part in every pattern. It cannot be undone.
             Type your user id to confirm.</p>
          <input data-testid="erase-confirm" autocomplete="off" aria-label="Your user id, to confirm">
          <button class="danger" data-testid="erase-account" disabled>Erase everything</button>
          <span data-testid="erase-result"></span></details>`);
      const confirm = $("[data-testid=erase-confirm]");
      const erase = $("[data-testid=erase-account]");
      confirm.addEventListener("input", () => { erase.disabled = confirm.value !== me.userId; });
      erase.addEventListener("click", async () => {
        try {
          // The API erases only with the id typed out in the body (docs/api.md).
          await api("/api/me", { method: "DELETE", body: JSON.stringify({ confirm: confirm.value }) });
          $("[data-testid=erase-result]").textContent = "Erased.";
          await Promise.all([loadMemories(), loadAnalytics()]);
        } catch (error) {
          $("[data-testid=erase-result]").textContent = error.message;
        }
      });
    } else {
      const a = await api(userPath("analytics"));
      panel("profile", `<table>
        <tr><th>User</th><td data-testid="profile-user">${escapeHtml(state.viewing)}</td></tr>
        <tr><th>Viewed by</th><td>admin ${escapeHtml(state.me.sub)}</td></tr>
        <tr><th>Memories</th><td>${a.memoryCount}</td></tr><tr><th>Turns</th><td>${a.interactionCount}</td></tr></table>`);
    }
  });
}

async function loadMemories() {
  await load("memories", async () => {
    state.memories = await api(userPath("memories"));
    renderMemories();
  });
}

// Strongest first, as the API orders them.
const byStrength = (a, b) => b.confidence - a.confidence || b.timesSeen - a.timesSeen || String(b.lastSeenAt).localeCompare(String(a.lastSeenAt));

function renderMemories() {
  const memories = state.memories;
  if (memories.length === 0) {
    panel("memories", `<p class="empty">Nothing learned yet. Memories appear when the user says things like "I prefer…" or "Never…".</p>`);
    return;
  }
  const rows = memories.map((m, i) => `<tr data-testid="memory-row" data-key="${escapeHtml(m.key)}">
      <td data-label="Type"><span class="badge">${escapeHtml(m.type)}</span></td><td data-label="Key">${escapeHtml(m.key)}</td>
      <td data-label="Category" data-testid="memory-category">${escapeHtml(m.category ?? "—")}</td><td data-label="Value">${escapeHtml(m.value)}</td>
      <td data-label="Confidence">${percent(m.confidence)}</td><td data-label="Seen">${m.timesSeen}</td><td data-label="Learned">${when(m.firstLearnedAt)}</td>
      <td data-label="Rules" class="muted" data-testid="memory-version" title="extractor version">${escapeHtml(m.extractorVersion ?? "—")}</td>
      <td><button class="link" data-why="${i}">why?</button>
          ${viewingSelf() ? `<button class="danger" data-forget="${i}">forget</button>` : ""}</td></tr>
      <tr hidden data-why-row="${i}"><td colspan="9"><div class="why">${whyHtml(m)}</div></td></tr>`).join("");
  panel("memories", `<div class="table-wrap"><table class="stack"><tr><th>Type</th><th>Key</th><th>Category</th><th>Value</th><th>Confidence</th><th>Seen</th><th>Learned</th><th>Rules</th><th></th></tr>${rows}</table></div>`);
  document.querySelectorAll("[data-why]").forEach((b) => b.addEventListener("click", () => {
    const row = document.querySelector(`[data-why-row="${b.dataset.why}"]`);
    row.hidden = !row.hidden;
  }));
  document.querySelectorAll("[data-forget]").forEach((b) => b.addEventListener("click", async () => {
    const m = memories[Number(b.dataset.forget)];
    try {
      await api(`/api/me/memories/${encodeURIComponent(m.type)}/${encodeURIComponent(m.key)}`, { method: "DELETE" });
      // The stream's memory.retracted removes it too; removing it here answers the click at once.
      forgetMemory(m);
      renderMemories();
      mark("profile", "analytics");
    } catch (error) {
      b.insertAdjacentHTML("afterend", `<span class="error"> ${escapeHtml(error.message)}</span>`);
    }
  }));
}

const sameMemory = (a, b) => a.type === b.type && a.key === b.key;
const forgetMemory = (m) => { state.memories = state.memories.filter((x) => !sameMemory(x, m)); };

/** memory.learned: a new memory, one seen again, or one with a new value. */
function applyLearned(e) {
  const held = state.memories.find((m) => sameMemory(m, e));
  if (held && e.change === "reinforced") {
    Object.assign(held, { value: e.value, confidence: e.confidence, timesSeen: held.timesSeen + 1, lastSeenAt: e.at,
      category: e.category ?? held.category, extractorVersion: e.extractorVersion ?? held.extractorVersion });
    if (e.turnId && !held.sourceTurnIds.includes(e.turnId)) held.sourceTurnIds.push(e.turnId);
  } else {
    if (held) forgetMemory(held);
    state.memories.push({ type: e.type, key: e.key, value: e.value, confidence: e.confidence, firstLearnedAt: e.at, lastSeenAt: e.at,
      timesSeen: 1, sourceTurnIds: e.turnId ? [e.turnId] : [], category: e.category, extractorVersion: e.extractorVersion });
  }
  state.memories.sort(byStrength);
}

/** memory.rekeyed: newer rules moved the memory to another key. */
function applyRekeyed(e) {
  const held = state.memories.find((m) => sameMemory(m, { type: e.type, key: e.oldKey }));
  if (!held) return false;
  forgetMemory({ type: e.type, key: e.newKey });
  Object.assign(held, { key: e.newKey, category: e.category, extractorVersion: e.extractorVersion });
  return true;
}

function whyHtml(memory) {
  const turns = state.conversations.flatMap((c) => c.turns);
  const sources = memory.sourceTurnIds.map((id) => turns.find((t) => t.turnId === id)).filter(Boolean);
  if (sources.length === 0) return `<span class="muted">Learned from ${memory.sourceTurnIds.length} turn(s) not among the recent conversations.</span>`;
  return sources.map((t) => `<div>“${escapeHtml(t.userMessage)}” <span class="muted">${when(t.recordedAt)}</span></div>`).join("");
}

async function loadConversations() {
  await load("conversations", async () => {
    state.conversations = await api(viewingSelf() ? "/api/me/conversations?limit=10" : userPath("conversations"));
    renderConversations();
  });
}

function renderConversations() {
  if (state.conversations.length === 0) {
    panel("conversations", `<p class="empty">No conversations yet.</p>`);
    return;
  }
  panel("conversations", state.conversations.slice(0, 10).map((c) => `<div class="conversation" data-testid="conversation">
    <div class="muted">${escapeHtml(c.conversationId)} · ${c.turnCount} turn(s) · ${when(c.lastTurnAt)}</div>
    ${c.turns.slice(-5).map((t) => `<div class="turn"><div class="who">user</div>${escapeHtml(t.userMessage)}
      <div class="who">assistant</div>${escapeHtml(t.aiResponse)}
      <div class="who">feedback: ${t.success == null ? "not rated" : t.success ? "✓ helpful" : "✗ not helpful"}</div></div>`).join("")}
  </div>`).join(""));
}

/** conversation.saved: a recorded turn (goes to the top of its conversation's list) or a rating of one shown. */
function applyConversation(e) {
  if (e.userMessage === undefined) {
    const turn = state.conversations.flatMap((c) => c.turns).find((t) => t.turnId === e.turnId);
    if (turn) turn.success = e.success;
    return;
  }
  let conversation = state.conversations.find((c) => c.conversationId === e.conversationId);
  if (!conversation) {
    conversation = { conversationId: e.conversationId, turnCount: 0, turns: [] };
  } else {
    state.conversations = state.conversations.filter((c) => c !== conversation);
  }
  if (!conversation.turns.some((t) => t.turnId === e.turnId)) {
    conversation.turns.push({ turnId: e.turnId, userMessage: e.userMessage, aiResponse: e.aiResponse, recordedAt: e.recordedAt, success: null });
    conversation.turnCount += 1;
  }
  conversation.lastTurnAt = e.recordedAt;
  state.conversations.unshift(conversation);
}

function bar(label, value, percentile) {
  const width = percentile == null ? 0 : Math.max(0, Math.min(100, percentile));
  return `<div class="figure"><span>${label}: <strong>${value}</strong></span><span class="muted">${percentile == null ? "no percentile" : `above ${percentile}% of users`}</span></div>
    <div class="bar" role="img" aria-label="${label} percentile ${percentile ?? "none"}"><span style="width:${width}%"></span></div>`;
}

async function loadAnalytics() {
  await load("analytics", async () => {
    const a = await api(userPath("analytics"));
    panel("analytics", `${bar("Memories", a.memoryCount, a.percentiles.memoryCount)}
      ${bar("Turns", a.interactionCount, a.percentiles.interactionCount)}
      ${bar("Success rate", percent(a.successRate), a.percentiles.successRate)}
      <p class="muted">Among ${a.population} user(s); calculated ${when(a.calculatedAt)}.</p>`);
  });
}

async function loadCluster() {
  await load("cluster", async () => {
    let cluster = null;
    let recommendations;
    if (viewingSelf()) {
      // 404: the user is in no cluster (nothing they taught is shared yet, or no clustering has run).
      [cluster, recommendations] = await Promise.all([
        api("/api/me/cluster").catch((error) => { if (error.status === 404) return null; throw error; }),
        api("/api/me/recommendations")]);
    } else {
      recommendations = await api(`/api/users/${encodeURIComponent(state.viewing)}/recommendations`);
      if (recommendations.clusterId != null) cluster = { clusterId: recommendations.clusterId, members: null, knowledge: null };
    }
    renderCluster(cluster, recommendations);
  });
}

function renderCluster(cluster, recommendations) {
  if (!cluster) {
    panel("cluster", `<p class="empty" data-testid="no-cluster">Not in a cluster yet. Clusters form from what users teach (preferences,
      interests, never personal info) each time a clustering runs.</p>`);
    return;
  }
  const knowledge = cluster.knowledge == null ? `<p class="muted">The cluster's knowledge is in the Clusters panel.</p>`
    : cluster.knowledge.length === 0 ? `<p class="empty">No knowledge of this cluster yet: it needs 5+ of its users who succeed in 80%+ of 20+ rated turns.</p>`
    : `<ul class="plain">${cluster.knowledge.map((k) => `<li data-testid="cluster-knowledge" data-key="${escapeHtml(k.key)}"><span class="badge promoted">${escapeHtml(k.type)}</span>
        ${escapeHtml(k.key)} <span class="muted">${k.holders} users · ${percent(k.successRate)} success</span></li>`).join("")}</ul>`;
  const items = recommendations.items.map((r) => `<li data-testid="recommendation" data-key="${escapeHtml(r.key)}"><span class="badge">${escapeHtml(r.type)}</span>
      <strong>${escapeHtml(r.key)}</strong> <span class="muted">${escapeHtml(r.explanation)}; predicted ${percent(r.predictedSuccess)}</span></li>`).join("");
  panel("cluster", `<p data-testid="cluster-id">Cluster <strong>#${cluster.clusterId}</strong>${cluster.members == null ? "" : ` · about ${cluster.members} users`}</p>
    <h3 class="muted">Knowledge of this cluster</h3>${knowledge}
    <h3 class="muted">Users like you prefer…</h3>
    ${items ? `<ul class="plain">${items}</ul>` : `<p class="empty">Nothing to recommend yet: an item needs 5+ users of the cluster who hold it.</p>`}`);
}

async function loadClusters() {
  if (state.me.role !== "admin") return;
  await load("clusters", async () => renderClusters(await api("/api/admin/clusters")));
}

/** Each cluster as a bar as long as its membership (green where its users succeed in 80%+ of rated turns), then the figures. */
function renderClusters(view) {
  if (view.clusters.length === 0) {
    panel("clusters", `<p class="empty">No clusters yet: "Cluster now" groups users by what they taught.</p>`);
    return;
  }
  const largest = Math.max(...view.clusters.map((c) => c.members));
  const clustered = view.clusters.reduce((sum, c) => sum + c.members, 0);
  const bars = view.clusters.map((c) => `<div class="cluster-bar" data-testid="cluster-bar" data-cluster="${c.clusterId}">
      <span>#${c.clusterId}</span>
      <span class="track"><span class="${c.successRate >= 0.8 ? "succeeding" : ""}" style="width:${(100 * c.members) / largest}%"></span></span>
      <span class="muted">${c.members} users · ${percent(c.successRate)} success · ${c.knowledge} knowledge</span></div>`).join("");
  const rows = view.clusters.map((c) => `<tr data-testid="cluster-row"><td data-label="Cluster">#${c.clusterId}</td><td data-label="Users">${c.members}</td>
      <td data-label="Rated turns">${c.ratedTurns}</td><td data-label="Success">${percent(c.successRate)}</td><td data-label="Patterns">${c.patterns}</td>
      <td data-label="Knowledge">${c.knowledge}</td>
      <td data-label="Distinctive keys" data-testid="cluster-keys">${c.distinctiveKeys.map((k) => `<span class="badge" title="${k.holders} holders, ${percent(k.share)} of the cluster">${escapeHtml(k.key)} ×${k.lift}</span>`).join(" ")}</td></tr>`).join("");
  panel("clusters", `<p class="muted">${view.clusters.length} clusters over ${clustered} of ${view.population} users; clustered ${when(view.asOf)}.</p>
    <div class="cluster-chart" role="img" aria-label="cluster sizes and success">${bars}</div>
    <div class="table-wrap"><table class="stack"><tr><th>Cluster</th><th>Users</th><th>Rated turns</th><th>Success</th><th>Patterns</th><th>Knowledge</th>
      <th title="held far more in the cluster than among all users (share in the cluster over share among everyone)">Distinctive keys</th></tr>${rows}</table></div>`);
}

function showClustering(run) {
  const line = $("#clustering-progress");
  if (!line || state.me.role !== "admin") return;
  line.textContent = run.done
    ? `Clustering done: ${run.clusters} clusters over ${run.usersClustered} users (${run.usersChanged} changed).`
    : `Clustering: ${run.usersWritten} of ${run.usersToWrite} changed memberships written…`;
}

async function loadGlobal() {
  await load("global", async () => {
    const contextPath = viewingSelf() ? "/api/me/context" : `/api/users/${encodeURIComponent(state.viewing)}/context`;
    let context;
    [state.patterns, state.knowledge, context] = await Promise.all([api("/api/patterns"), api("/api/knowledge"), api(contextPath)]);
    // What the user on screen is predicted to get from each piece of knowledge in their context.
    state.predicted = new Map(context.knowledge.map((k) => [`${k.type}/${k.key}`, k.predictedSuccess]));
    renderGlobal();
  });
}

function renderGlobal() {
  const { patterns, knowledge } = state;
  const promoted = new Set(knowledge.map((k) => `${k.type}/${k.key}`));
  const tested = new Set(state.experiments.filter((x) => x.status === "running").map((x) => `${x.type}/${x.key}`));
  // Admins may start an A/B test of any pattern not under test.
  const testButton = (p) => state.me.role !== "admin" || tested.has(`${p.type}/${p.key}`) ? ""
    : `<button class="link" data-testid="start-experiment" data-type="${escapeHtml(p.type)}" data-key="${escapeHtml(p.key)}">A/B test</button>`;
  const rows = patterns.map((p) => `<tr data-testid="pattern-row"><td><span class="badge">${escapeHtml(p.type)}</span></td><td>${escapeHtml(p.key)}</td>
    <td>${p.userCount}</td><td data-testid="pattern-rank">${p.rank == null ? "—" : p.rank.toFixed(2)}</td><td>${percent(p.successRate)}</td>
    <td data-testid="pattern-recent">${percent(p.recentSuccessRate)}</td>
    <td>${promoted.has(`${p.type}/${p.key}`) ? `<span class="badge promoted">promoted</span>` : ""}
      ${tested.has(`${p.type}/${p.key}`) ? `<span class="badge">under test</span>` : ""} ${testButton(p)}</td></tr>`).join("");
  const knowledgeRows = knowledge.map((k) => `<tr data-testid="knowledge-row"><td><span class="badge promoted">${escapeHtml(k.type)}</span></td>
    <td>${escapeHtml(k.key)}</td><td>${k.userCount}</td><td>${percent(k.successRate)}</td>
    <td data-testid="knowledge-recent">${percent(k.recentSuccessRate)}</td>
    <td data-testid="knowledge-predicted">${percent(state.predicted?.get(`${k.type}/${k.key}`))}</td><td>${when(k.promotedAt)}</td></tr>`).join("");
  panel("global", `<h3 class="muted">Patterns (held by several users)</h3>
    ${patterns.length ? `<div class="table-wrap"><table><tr><th>Type</th><th>Key</th><th>Users</th><th title="holders weighed by how recently each was seen (latest aging)">Rank</th><th>Success</th><th title="the holders' last rated turns (latest aging)">Recent</th><th></th></tr>${rows}</table></div>`
      : `<p class="empty">No global patterns yet: a pattern needs at least two users.</p>`}
    <h3 class="muted">Knowledge (promoted)</h3>
    ${knowledge.length ? `<div class="table-wrap"><table><tr><th>Type</th><th>Key</th><th>Users</th><th>Success</th><th title="the holders' last rated turns (latest aging): below 75% at two agings in a row demotes it">Recent</th><th title="the probability that a turn of the user on screen given with it succeeds">Predicted for this user</th><th>Promoted</th></tr>${knowledgeRows}</table></div>`
      : `<p class="empty">Nothing promoted yet: knowledge needs 5+ users who succeed in 80%+ of 20+ rated turns.</p>`}`);
}

async function loadExperiments() {
  if (state.me.role !== "admin") return;
  await load("experiments", async () => {
    state.experiments = await api("/api/admin/experiments");
    renderExperiments();
  });
}

function signed(x) {
  return x == null ? "–" : `${x > 0 ? "+" : ""}${(100 * x).toFixed(1)}`;
}

function arm(a) {
  return `${a.users} users · ${a.ratedTurns} rated · <strong>${percent(a.successRate)}</strong>`;
}

/** The difference treatment - control and its 95% interval on a -100..+100 points scale; the zero line marks "no effect". */
function interval(f) {
  if (f.difference == null) return `<span class="muted">no figures yet</span>`;
  const at = (x) => 50 + 50 * Math.max(-1, Math.min(1, x));
  const span = f.low == null ? "" : `<span class="span" style="left:${at(f.low)}%;width:${at(f.high) - at(f.low)}%"></span>`;
  return `<div class="interval" role="img" aria-label="difference ${signed(f.difference)} points, interval ${signed(f.low)} to ${signed(f.high)}">
      <span class="zero"></span>${span}<span class="point" style="left:${at(f.difference)}%"></span></div>
    <span data-testid="experiment-difference">${signed(f.difference)} pts</span>
    <span class="muted">${f.low == null ? "(no interval: fewer than two rated users an arm)" : `[${signed(f.low)}, ${signed(f.high)}]`}</span>`;
}

function renderExperiments() {
  const rows = state.experiments.map((x) => `<tr data-testid="experiment-row" data-key="${escapeHtml(x.key)}">
    <td data-label="Pattern"><span class="badge">${escapeHtml(x.type)}</span> ${escapeHtml(x.key)}</td>
    <td data-label="Status" data-testid="experiment-status">${escapeHtml(x.status)}${x.status === "running"
      ? ` <button class="link" data-testid="stop-experiment" data-id="${x.experimentId}">stop</button>` : ""}</td>
    <td data-label="Treatment" data-testid="experiment-treatment">${arm(x.figures.treatment)} <span class="muted">(${Math.round(100 * x.treatmentShare)}% of users)</span></td>
    <td data-label="Control" data-testid="experiment-control">${arm(x.figures.control)}</td>
    <td data-label="Difference">${interval(x.figures)}</td>
    <td data-label="Verdict" data-testid="experiment-verdict">${x.verdict ? `<span class="badge verdict-${escapeHtml(x.verdict)}">${escapeHtml(x.verdict)}</span>`
      : `<span class="muted">at ${x.horizon.usersPerArm} users and ${x.horizon.ratedTurnsPerArm} rated turns an arm</span>`}</td></tr>`).join("");
  panel("experiments", state.experiments.length
    ? `<div class="table-wrap"><table class="stack"><tr><th>Pattern</th><th>Status</th><th>Treatment (given)</th><th>Control (withheld)</th><th>Difference, 95% interval</th><th>Verdict</th></tr>${rows}</table></div>`
    : `<p class="empty">No experiments yet: start one with "A/B test" on a pattern.</p>`);
}

/** pattern.changed and knowledge.promoted carry the pattern's figures: replaced in place, most held first. */
function upsert(list, item) {
  const previous = list.find((x) => x.type === item.type && x.key === item.key);
  const kept = list.filter((x) => x !== previous);
  // The feed's figures are the holders'; rank and recent success come from the latest aging, kept until the next.
  kept.push({ rank: previous?.rank ?? null, recentSuccessRate: previous?.recentSuccessRate ?? null, ...item });
  return kept.sort((a, b) => (b.rank ?? b.userCount) - (a.rank ?? a.userCount) || b.userCount - a.userCount);
}

function histogram(title, distribution) {
  if (!distribution) return `<p class="empty">${title}: no data yet.</p>`;
  const max = Math.max(1, ...distribution.buckets.map((b) => b.users));
  return `<h3 class="muted">${title} <span class="muted">(median ${distribution.p50}, p90 ${distribution.p90})</span></h3>
    <div class="histogram" role="img" aria-label="${title} distribution">${distribution.buckets.map((b) =>
      `<div style="height:${(100 * b.users) / max}%" title="${b.label}: ${b.users}"><span>${escapeHtml(b.label)}</span></div>`).join("")}</div>`;
}

async function loadPopulation() {
  if (state.me.role !== "admin") return;
  await load("population", async () => {
    const p = await api("/api/admin/analytics");
    panel("population", `<p>${p.population} user(s), ${p.interactions} turn(s), ${p.memories} memories, ${p.ratedTurns} rated turn(s).</p>
      ${histogram("Memories per user", p.memoryCount)}${histogram("Turns per user", p.interactionCount)}${histogram("Success rate", p.successRate)}`);
  });
}

function loadAll() {
  return Promise.all([loadProfile(), loadConversations().then(loadMemories), loadAnalytics(), loadExperiments().then(loadGlobal), loadPopulation(),
    loadCluster(), loadClusters()]);
}

// What the stream changed, drawn or fetched again at most every 250 ms: a burst of events costs one pass.
const dirty = new Set();
let flushTimer = null;
const work = {
  memories: renderMemories, conversations: renderConversations, global: renderGlobal,
  profile: loadProfile, analytics: loadAnalytics, population: loadPopulation, "global-figures": loadGlobal,
  experiments: () => loadExperiments().then(renderGlobal),
  cluster: loadCluster, clusters: loadClusters,
};

function mark(...names) {
  names.forEach((name) => dirty.add(name));
  if (!flushTimer) flushTimer = setTimeout(flush, 250);
}

function flush() {
  flushTimer = null;
  // Fetching the global lists again draws them too.
  if (dirty.has("global-figures")) dirty.delete("global");
  const names = [...dirty];
  dirty.clear();
  for (const name of names) work[name]();
}

function connect() {
  if (state.stream) state.stream.close();
  const indicator = $("#connection");
  const show = (status) => { indicator.className = `connection ${status}`; indicator.textContent = status; };
  show("connecting");
  const stream = new EventSource(`/api/stream?access_token=${encodeURIComponent(state.token)}`);
  state.stream = stream;
  stream.onopen = () => show("live");
  stream.onerror = () => show(stream.readyState === EventSource.CLOSED ? "offline" : "connecting");
  const on = (type, handler) => stream.addEventListener(type, (event) => handler(JSON.parse(event.data)));
  // A user's own frames have no userId; an admin's name the user: only the user on screen counts.
  const mine = (handler) => (data) => { if (data.userId === undefined || data.userId === state.viewing) handler(data); };

  on("memory.learned", mine((e) => { applyLearned(e); mark("memories", "profile"); }));
  on("memory.retracted", (e) => {
    // A pattern that lost its second holder leaves the public list, which no event names: fetch the lists again.
    mark("global-figures");
    mine(() => { forgetMemory(e); mark("memories", "profile"); })(e);
  });
  on("memory.rekeyed", mine((e) => { if (applyRekeyed(e)) mark("memories"); }));
  on("conversation.saved", mine((e) => { applyConversation(e); mark("conversations"); }));
  on("analytics.updated", (e) => {
    // The population's figures include every user; the panels of the user on screen only theirs.
    // A rating may count for an experiment's arm.
    if (state.me.role === "admin") mark("population", "experiments");
    mine(() => mark("analytics", "profile"))(e);
  });
  on("pattern.changed", (e) => { state.patterns = upsert(state.patterns, e); mark("global"); });
  on("knowledge.promoted", (e) => { state.knowledge = upsert(state.knowledge, e); mark("global"); });
  // A demotion or an aggregation may drop a pattern below the threshold, which no event names: fetch the lists again.
  for (const type of ["knowledge.demoted", "aggregation.completed", "patterns.aged"]) on(type, () => mark("global-figures"));
  for (const type of ["experiment.started", "experiment.stopped", "experiment.concluded"]) on(type, () => mark("experiments"));
  on("cluster.changed", mine(() => mark("cluster", "analytics")));
  on("clustering.progress", (run) => showClustering(run));
  on("clustering.completed", (run) => { showClustering({ ...run, done: true }); mark("clusters", "cluster"); });
  for (const type of ["cluster-knowledge.promoted", "cluster-knowledge.demoted"]) on(type, () => mark("clusters", "cluster"));
  on("reextraction.progress", (run) => showReextraction(run));
  on("reextraction.completed", (run) => { showReextraction({ ...run, done: true }); loadAll(); });
}

async function adminAction(button, path, describe) {
  const result = $("#admin-result");
  button.disabled = true;
  result.textContent = "working…";
  try {
    result.textContent = describe(await api(path, { method: "POST", body: "{}" }));
  } catch (error) {
    result.innerHTML = `<span class="error">${escapeHtml(error.message)}</span>`;
  } finally {
    button.disabled = false;
  }
}

async function experimentAction(button, path, body, done) {
  const result = $("#admin-result");
  button.disabled = true;
  try {
    const x = await api(path, { method: "POST", body: JSON.stringify(body) });
    result.textContent = `${done}: ${x.type} ${x.key}.`;
  } catch (error) {
    result.innerHTML = `<span class="error">${escapeHtml(error.message)}</span>`;
  }
  await work.experiments();
}

function showReextraction(run) {
  const line = $("#reextract-progress");
  if (!line || state.me.role !== "admin") return;
  const done = run.done || run.status === "completed";
  line.textContent = done
    ? `Re-extraction done: ${run.usersDone} users, ${run.eventsAppended} changes.`
    : `Re-extracting: ${run.usersDone} of ${run.usersTotal ?? "?"} users, ${run.eventsAppended} changes so far…`;
}

function setUpAdmin() {
  if (state.me.role !== "admin") return;
  $("#admin-bar").hidden = false;
  $("#panel-population").hidden = false;
  $("#panel-experiments").hidden = false;
  $("#panel-clusters").hidden = false;
  // The buttons are drawn anew with their tables: one listener each on the panels.
  $("#panel-global").addEventListener("click", (event) => {
    const button = event.target.closest("[data-testid=start-experiment]");
    if (button) experimentAction(button, "/api/admin/experiments", { type: button.dataset.type, key: button.dataset.key }, "Experiment started");
  });
  $("#panel-experiments").addEventListener("click", (event) => {
    const button = event.target.closest("[data-testid=stop-experiment]");
    if (button) experimentAction(button, `/api/admin/experiments/${button.dataset.id}/stop`, {}, "Experiment stopped");
  });
  $("#user-picker").addEventListener("submit", (event) => {
    event.preventDefault();
    const user = $("#picked-user").value.trim();
    if (user) { state.viewing = user; loadAll(); }
  });
  $("#back-to-me").addEventListener("click", () => { state.viewing = state.me.sub; loadAll(); });
  $("#aggregate").addEventListener("click", (event) => adminAction(event.target, "/api/admin/aggregate",
    (s) => `Aggregation done: ${s.patterns} patterns, ${s.globalPatterns} global, ${s.knowledge} knowledge, ${s.promoted} promoted, ${s.demoted} demoted, ${s.drifted} drifted.`));
  $("#reextract").addEventListener("click", (event) => adminAction(event.target, "/api/admin/reextract", (run) => {
    showReextraction(run);
    return `Re-extraction ${run.resumes ? "resumed" : "started"} with rules ${run.extractorVersion}.`;
  }));
  $("#cluster-now").addEventListener("click", (event) => adminAction(event.target, "/api/admin/clusters/runs",
    (run) => `Clustering started as of ${when(run.asOf)}.`));
  $("#rebuild").addEventListener("click", async (event) => {
    const progress = $("#rebuild-progress");
    progress.hidden = false;
    await adminAction(event.target, "/api/admin/projections/rebuild",
      (r) => `Rebuilt ${r.projections.length} projections in ${r.seconds} s.`);
    progress.hidden = true;
    loadAll();
  });
}

function signOut(message) {
  sessionStorage.removeItem("crosslearn.token");
  if (state.stream) state.stream.close();
  state.token = null;
  $("#dashboard").hidden = true;
  $("#sign-out").hidden = true;
  $("#sign-in").hidden = false;
  const error = $("#sign-in-error");
  error.hidden = !message;
  error.textContent = message || "";
}

function signIn(token) {
  const payload = claims(token);
  if (!payload || !payload.sub) {
    signOut("That does not look like a CrossLearn token.");
    return;
  }
  state.token = token;
  state.me = { sub: payload.sub, role: payload.role || "user" };
  state.viewing = payload.sub;
  sessionStorage.setItem("crosslearn.token", token);
  $("#sign-in").hidden = true;
  $("#dashboard").hidden = false;
  $("#sign-out").hidden = false;
  setUpAdmin();
  connect();
  loadAll();
}

$("#sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  signIn($("#token-input").value.trim());
});
$("#sign-out").addEventListener("click", () => signOut());

const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) history.replaceState(null, "", location.pathname);
const saved = fromHash || sessionStorage.getItem("crosslearn.token");
if (saved) signIn(saved); else signOut();
