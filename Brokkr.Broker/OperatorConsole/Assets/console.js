// Brokkr operator console: reads the broker's REST API with the read-only credential the page carries, and nothing
// else. Plain JavaScript with no build step and no third-party code, so it works in an air-gapped cluster.
"use strict";

(() => {
  const REFRESH_MS = 10000;
  const credential = document.querySelector('meta[name="brokkr-console-credential"]').content;
  const views = {
    overview: { title: "Overview", path: "/", render: overview },
    fleet: { title: "Fleet", path: "/fleet", render: fleet },
    deployments: { title: "Deployments", path: "/deployments", render: deployments },
    telemetry: { title: "Telemetry", path: "/telemetry", render: telemetry },
    "work-orders": { title: "Work orders", path: "/work-orders", render: workOrders },
    webhooks: { title: "Webhooks", path: "/webhooks", render: webhooks },
    broker: { title: "Broker health", path: "/broker", render: broker },
  };
  const state = { view: "overview", tenant: "", detail: null, samples: [], timer: 0, rendering: false };

  // ---- API -------------------------------------------------------------------------------------------------------

  class NotAvailable extends Error {}

  async function api(path) {
    const response = await fetch("/api/v1" + path, { headers: { Authorization: "Bearer " + credential, Accept: "application/json" } });
    if (response.status === 404 || response.status === 405) throw new NotAvailable(path);
    if (!response.ok) {
      let message = response.status + " " + response.statusText;
      try { const body = await response.json(); if (body && body.message) message += ": " + body.message; } catch { /* not JSON */ }
      throw new Error(message);
    }
    return response.json();
  }

  /** Like api(), but a feature this broker does not serve yields null instead of failing the view. */
  async function optional(path) {
    try { return await api(path); } catch (e) { if (e instanceof NotAvailable) return null; throw e; }
  }

  async function metrics() {
    const response = await fetch("/metrics", { headers: { Accept: "text/plain" } });
    if (!response.ok) return null;
    const sums = new Map();
    for (const line of (await response.text()).split("\n")) {
      if (!line || line[0] === "#") continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!match) continue;
      const value = Number(match[3]);
      if (Number.isFinite(value)) sums.set(match[1], (sums.get(match[1]) || 0) + value);
    }
    return sums;
  }

  // ---- Tenant scoping ----------------------------------------------------------------------------------------------

  /** The agents and stacks of the chosen tenant (a view filter, not an authorization boundary), or all of them. */
  async function scoped() {
    const [agents, stacks, fleetRecords] = await Promise.all([api("/agents"), api("/stacks"), optional("/fleet")]);
    if (!state.tenant) return { agents, stacks, fleetRecords };
    const registered = await optional("/generators/" + encodeURIComponent(state.tenant) + "/registered-agents");
    const ids = new Set((registered || []).map(r => r.agent_id));
    return {
      agents: agents.filter(a => ids.has(a.id)),
      stacks: stacks.filter(s => s.generator_id === state.tenant),
      fleetRecords: fleetRecords && fleetRecords.filter(r => ids.has(r.agent_id)),
    };
  }

  async function loadTenants() {
    const box = document.getElementById("tenant");
    const select = document.getElementById("tenant-select");
    let paks = [];
    try { paks = await api("/paks"); } catch { paks = []; }
    if (state.tenant && !paks.some(p => p.id === state.tenant)) setTenant("");
    box.hidden = paks.length === 0;
    select.replaceChildren(option("", "All"), ...paks.map(p => option(p.id, p.name)));
    select.value = state.tenant;
  }

  function setTenant(id) {
    state.tenant = id;
    const url = new URL(location.href);
    if (id) url.searchParams.set("pak_id", id); else url.searchParams.delete("pak_id");
    history.replaceState(null, "", url);
    for (const link of document.querySelectorAll("nav a[data-view]")) link.href = withTenant(views[link.dataset.view].path);
  }

  function withTenant(path) { return state.tenant ? path + "?pak_id=" + encodeURIComponent(state.tenant) : path; }

  // ---- Health rollup ----------------------------------------------------------------------------------------------

  const STALE_SECONDS = 300;

  /** One word per agent: inactive, failing, degraded or healthy, from its fleet record when the broker has one. */
  function agentHealth(agent, record) {
    if ((agent.status || "").toUpperCase() !== "ACTIVE") return "inactive";
    if (agent.k8s_reachable === false || (record && record.health_failing > 0)) return "failing";
    const age = record && record.heartbeat_age_seconds != null ? record.heartbeat_age_seconds : secondsSince(agent.last_heartbeat);
    if ((record && record.health_degraded > 0) || age == null || age > STALE_SECONDS) return "degraded";
    return "healthy";
  }

  function healthCounts(agents, records) {
    const byId = new Map((records || []).map(r => [r.agent_id, r]));
    const counts = { healthy: 0, degraded: 0, failing: 0, inactive: 0 };
    for (const a of agents) counts[agentHealth(a, byId.get(a.id))]++;
    return counts;
  }

  function healthBar(counts) {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const bar = el("div", { class: "bar", role: "img", "aria-label": Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ") });
    for (const [key, value] of Object.entries(counts)) {
      if (!value) continue;
      const part = el("span", { class: "bg-" + key, title: `${value} ${key}` });
      part.style.width = (100 * value / total) + "%";
      bar.append(part);
    }
    const legend = el("div", { class: "legend" }, ...Object.entries(counts).map(([k, v]) => el("span", { class: k }, `${k}: ${v}`)));
    return el("div", {}, bar, legend);
  }

  // ---- Views ------------------------------------------------------------------------------------------------------

  async function overview() {
    const [{ agents, stacks, fleetRecords }, events, m] = await Promise.all([scoped(), api("/agent-events"), metrics()]);
    const agentIds = new Set(agents.map(a => a.id));
    const counts = healthCounts(agents, fleetRecords);
    sample(m);
    const recent = events.filter(e => agentIds.has(e.agent_id)).sort(byNewest).slice(0, 10);
    const names = new Map(agents.map(a => [a.id, a.name]));
    return [
      el("div", { class: "cards" },
        card(agents.length, "agents"), card(agents.filter(a => a.status === "ACTIVE").length, "active agents"),
        card(stacks.length, "stacks"), card(counts.failing, "failing agents"), card(events.length, "retained agent events")),
      el("section", { class: "panel", "aria-labelledby": "h-health" }, el("h2", { id: "h-health" }, "Fleet health"), healthBar(counts)),
      el("section", { class: "panel", "aria-labelledby": "h-throughput" }, el("h2", { id: "h-throughput" }, "Broker throughput"), sparkline()),
      el("section", { "aria-labelledby": "h-recent" }, el("h2", { id: "h-recent" }, "Recent agent events"),
        table(["Time", "Agent", "Event", "Status", "Message"], recent, e => [ago(e.created_at), names.get(e.agent_id) || short(e.agent_id),
          e.event_type, pill(e.status), e.message || ""], null, "No agent events retained yet.")),
    ];
  }

  function sample(m) {
    if (!m) return;
    const total = m.get("brokkr_http_requests_total");
    if (total == null) return;
    state.samples.push({ at: Date.now(), total });
    if (state.samples.length > 31) state.samples.shift();
  }

  function sparkline() {
    const s = state.samples;
    if (s.length < 2) return el("p", { class: "muted" }, "Collecting samples of brokkr_http_requests_total…");
    const rates = [];
    for (let i = 1; i < s.length; i++) rates.push(Math.max(0, (s[i].total - s[i - 1].total) / ((s[i].at - s[i - 1].at) / 1000)));
    const max = Math.max(...rates, 0.001);
    const width = 300, height = 60;
    const points = rates.map((r, i) => `${rates.length === 1 ? width : (i * width / (rates.length - 1)).toFixed(1)},${(height - 4 - r / max * (height - 8)).toFixed(1)}`);
    const svg = svgEl("svg", { class: "spark", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img",
      "aria-label": `HTTP requests per second, latest ${rates[rates.length - 1].toFixed(2)}` });
    svg.append(svgEl("polyline", { points: points.length === 1 ? `0,${points[0].split(",")[1]} ${points[0]}` : points.join(" ") }));
    return el("div", {}, svg, el("p", { class: "muted" }, `${rates[rates.length - 1].toFixed(2)} requests/s now, peak ${max.toFixed(2)} over the last ${rates.length} samples`));
  }

  async function fleet() {
    const { agents, fleetRecords } = await scoped();
    const byId = new Map((fleetRecords || []).map(r => [r.agent_id, r]));
    const counts = healthCounts(agents, fleetRecords);
    const clusters = [...new Set(agents.map(a => a.cluster_name))].sort();
    const out = [el("div", { class: "cards" }, card(counts.healthy, "healthy"), card(counts.degraded, "degraded"),
      card(counts.failing, "failing"), card(counts.inactive, "inactive"))];
    if (!fleetRecords) out.push(el("p", { class: "muted" }, "Fleet status (channel connection, work-order counts) is not available on this broker; health comes from the agent records."));
    if (agents.length === 0) out.push(el("p", { class: "na" }, "No agents."));
    for (const cluster of clusters) {
      const rows = agents.filter(a => a.cluster_name === cluster).sort((a, b) => a.name.localeCompare(b.name));
      out.push(el("section", { "aria-label": "Cluster " + cluster }, el("h2", {}, "Cluster " + cluster),
        table(["Agent", "Status", "Health", "Channel", "Last check-in"], rows, a => {
          const r = byId.get(a.id);
          return [a.name, pill(a.status), pill(agentHealth(a, r)), r ? (r.ws_connected ? "connected" : "not connected") : "—", ago(a.last_heartbeat)];
        }, a => ({ kind: "agent", id: a.id }))));
    }
    return out;
  }

  async function agentDetail(id) {
    const [agent, labels, registrations, targets, events, record, generators] = await Promise.all([
      api("/agents/" + id), optional("/agents/" + id + "/labels"), optional("/agents/" + id + "/registrations"),
      optional("/agents/" + id + "/targets"), optional("/agents/" + id + "/events"), optional("/agents/" + id + "/fleet-status"), optional("/generators")]);
    const owner = new Map((generators || []).map(g => [g.id, g.is_system ? g.name + " (fleet scope)" : g.name]));
    return [
      el("h2", {}, "Agent " + agent.name),
      dl([["ID", agent.id], ["Cluster", agent.cluster_name], ["Status", pill(agent.status)], ["Last check-in", ago(agent.last_heartbeat)],
        ["Kubernetes API", agent.k8s_reachable == null ? "not reported" : agent.k8s_reachable ? `reachable (${agent.k8s_api_latency_ms ?? "?"} ms)` : "unreachable"],
        ["Channel", record ? (record.ws_connected ? "connected" : "not connected") : "not available on this broker"],
        ["Labels", labels ? (labels.map(l => l.label).join(", ") || "none") : "—"],
        ["Registered with", registrations ? (registrations.map(r => owner.get(r.generator_id) || short(r.generator_id)).join(", ") || "none") : "—"],
        ["Targeted stacks", targets ? String(targets.length) : "—"]]),
      el("h3", {}, "Recent events"),
      table(["Time", "Event", "Status", "Message"], (events || []).sort(byNewest).slice(0, 10), e => [ago(e.created_at), e.event_type, pill(e.status), e.message || ""], null, "No events."),
    ];
  }

  async function deployments() {
    const { stacks } = await scoped();
    const generators = await optional("/generators");
    const owner = new Map((generators || []).map(g => [g.id, g.name]));
    return [table(["Stack", "Owner", "Description", "Created"], stacks.sort((a, b) => a.name.localeCompare(b.name)),
      s => [s.name, owner.get(s.generator_id) || short(s.generator_id), s.description || "", ago(s.created_at)],
      s => ({ kind: "stack", id: s.id }), "No stacks.")];
  }

  async function stackDetail(id) {
    const [stack, objects, health] = await Promise.all([api("/stacks/" + id), api("/stacks/" + id + "/deployment-objects"), optional("/stacks/" + id + "/health")]);
    const rollup = new Map(((health && health.deployment_objects) || []).map(d => [d.id, d]));
    return [
      el("h2", {}, "Stack " + stack.name),
      dl([["ID", stack.id], ["Overall health", health ? pill(health.overall_status) : "not available"], ["Deployment objects", String(objects.length)]]),
      table(["Sequence", "Object", "Health", "Healthy / degraded / failing agents", "Submitted"], objects.sort((a, b) => b.sequence_id - a.sequence_id), o => {
        const h = rollup.get(o.id);
        return [String(o.sequence_id), short(o.id) + (o.is_deletion_marker ? " (deletion marker)" : ""), h ? pill(h.status) : pill("unknown"),
          h ? `${h.healthy_agents} / ${h.degraded_agents} / ${h.failing_agents}` : "—", ago(o.submitted_at || o.created_at)];
      }, null, "No deployment objects."),
    ];
  }

  async function telemetry() {
    const [{ agents }, events] = await Promise.all([scoped(), api("/agent-events")]);
    const names = new Map(agents.map(a => [a.id, a.name]));
    const rows = events.filter(e => names.has(e.agent_id)).sort(byNewest);
    return [
      el("p", { class: "muted" }, "Agent lifecycle events the broker still retains — a window into recent activity, not an archive. Pod log tails are per stack; there is no global feed."),
      table(["Time", "Agent", "Event", "Status", "Message"], rows, e => [ago(e.created_at), names.get(e.agent_id), e.event_type, pill(e.status), e.message || ""],
        e => ({ kind: "event", id: e.id }), "No agent events retained."),
    ];
  }

  async function eventDetail(id) {
    const e = await api("/agent-events/" + id);
    return [el("h2", {}, "Event " + e.event_type), dl(Object.entries(e).map(([k, v]) => [k, v == null ? "—" : String(v)]))];
  }

  async function workOrders() {
    const [active, log] = await Promise.all([optional("/work-orders"), optional("/work-order-log")]);
    if (active === null && log === null) return [notAvailable("Work orders")];
    return [
      el("h2", {}, "Active"),
      active === null ? notAvailable("The active work-order list") :
        table(["Type", "Status", "Retries", "Claimed by", "Created"], active, w => [w.work_type, pill(w.status), `${w.retry_count}/${w.max_retries}`, w.claimed_by ? short(w.claimed_by) : "—", ago(w.created_at)], null, "No active work orders."),
      el("h2", {}, "History"),
      log === null ? notAvailable("The work-order history") :
        table(["Type", "Result", "Completed", "Message"], log.sort((a, b) => Date.parse(b.completed_at) - Date.parse(a.completed_at)),
          w => [w.work_type, pill(w.success ? "success" : "failure"), ago(w.completed_at), w.result_message || ""], w => ({ kind: "work-order-log", id: w.id }), "No completed work orders."),
    ];
  }

  async function workOrderLogDetail(id) {
    const w = await api("/work-order-log/" + id);
    return [el("h2", {}, "Work order " + short(w.id)), dl([["Type", w.work_type], ["Result", pill(w.success ? "success" : "failure")],
      ["Claimed by", w.claimed_by || "—"], ["Completed", ago(w.completed_at)], ["Message", w.result_message || "—"]]), el("pre", {}, w.yaml_content || "")];
  }

  async function webhooks() {
    const list = await optional("/webhooks");
    if (list === null) return [notAvailable("Webhooks")];
    return [table(["Name", "Events", "Enabled", "URL set", "Created"], list, w => [w.name, (w.event_types || []).join(", "), w.enabled ? "yes" : "no",
      w.has_url ? "yes (redacted)" : "no", ago(w.created_at)], w => ({ kind: "webhook", id: w.id }), "No webhook subscriptions.")];
  }

  async function webhookDetail(id) {
    const deliveries = await optional("/webhooks/" + id + "/deliveries");
    return [el("h2", {}, "Recent deliveries"), deliveries === null ? notAvailable("Delivery history") :
      table(["Event", "Status", "Attempts", "Last attempt", "Error"], deliveries, d => [d.event_type, pill(d.status), String(d.attempts), ago(d.last_attempt_at), d.last_error || ""], null, "No deliveries yet.")];
  }

  async function broker() {
    const [m, ready, connections] = await Promise.all([metrics(), fetch("/readyz").then(r => r.ok ? "ready" : "not ready", () => "unreachable"), optional("/admin/ws/connections")]);
    sample(m);
    const get = name => (m && m.has(name) ? String(m.get(name)) : "—");
    return [
      el("div", { class: "cards" }, card(ready, "readiness (/readyz)"), card(get("brokkr_active_agents"), "active agents"),
        card(get("brokkr_connected_agents"), "connected agents"), card(get("brokkr_http_requests_total"), "HTTP requests served"),
        card(get("brokkr_http_requests_in_flight"), "requests in flight"), card(get("brokkr_stacks_total"), "stacks"),
        card(get("brokkr_deployment_objects_total"), "deployment objects")),
      el("section", { class: "panel" }, el("h2", {}, "Throughput"), sparkline()),
      el("h2", {}, "Internal WebSocket connections"),
      connections === null ? notAvailable("The connection list") :
        table(["Agent", "Connected since"], Array.isArray(connections) ? connections : (connections.connections || []),
          c => [c.agent_name || short(c.agent_id), ago(c.connected_since || c.connected_at)], null, "No agent holds a connection."),
    ];
  }

  const details = { agent: agentDetail, stack: stackDetail, event: eventDetail, "work-order-log": workOrderLogDetail, webhook: webhookDetail };

  // ---- Rendering --------------------------------------------------------------------------------------------------

  async function render() {
    if (state.rendering) return;
    state.rendering = true;
    const view = views[state.view];
    const status = document.getElementById("status");
    try {
      const content = await view.render();
      document.getElementById("view").replaceChildren(...content);
      await renderDetail();
      status.textContent = "Updated " + new Date().toLocaleTimeString();
      status.classList.remove("error");
      document.body.dataset.loaded = state.view;
    } catch (e) {
      status.textContent = "Could not load this view: " + e.message + " — retrying.";
      status.classList.add("error");
    } finally {
      state.rendering = false;
    }
  }

  async function renderDetail() {
    const panel = document.getElementById("detail");
    if (!state.detail) { panel.hidden = true; panel.replaceChildren(); return; }
    let content;
    try { content = await details[state.detail.kind](state.detail.id); }
    catch (e) { content = [el("p", { class: e instanceof NotAvailable ? "na" : "error" }, e instanceof NotAvailable ? "No longer available." : e.message)]; }
    const close = el("button", { class: "close", type: "button" }, "Close");
    close.addEventListener("click", () => { state.detail = null; render(); });
    panel.replaceChildren(el("header", {}, el("span", { class: "muted" }, "Details"), close), ...content);
    panel.hidden = false;
  }

  function show(viewName, push) {
    state.view = views[viewName] ? viewName : "overview";
    state.detail = null;
    document.getElementById("title").textContent = views[state.view].title;
    document.title = views[state.view].title + " · Brokkr";
    for (const link of document.querySelectorAll("nav a[data-view]")) {
      if (link.dataset.view === state.view) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
    }
    if (push) history.pushState(null, "", withTenant(views[state.view].path));
    delete document.body.dataset.loaded;
    document.getElementById("view").replaceChildren(el("p", { class: "muted" }, "Loading…"));
    render();
  }

  function viewFromPath() {
    const path = location.pathname.replace(/\/+$/, "") || "/";
    return Object.keys(views).find(k => views[k].path === path) || "overview";
  }

  // ---- DOM helpers ------------------------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
    return node;
  }

  function svgEl(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function option(value, text) { const o = el("option", { value }, text); return o; }
  function card(n, label) { return el("div", { class: "card" }, el("div", { class: "n" }, String(n)), el("div", { class: "l" }, label)); }
  function pill(s) { const text = (s || "unknown").toString(); return el("span", { class: "pill " + text.toLowerCase() }, text.toLowerCase()); }
  function notAvailable(what) { return el("p", { class: "na", "data-not-available": "" }, `${what}: not available on this broker.`); }
  function short(id) { return id ? String(id).slice(0, 8) : "—"; }
  function byNewest(a, b) { return Date.parse(b.created_at) - Date.parse(a.created_at); }

  function secondsSince(when) { return when ? (Date.now() - Date.parse(when)) / 1000 : null; }

  function ago(when) {
    const s = secondsSince(when);
    if (s == null || Number.isNaN(s)) return el("span", { class: "muted" }, "never");
    const text = s < 60 ? `${Math.max(0, Math.round(s))} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : s < 86400 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} d ago`;
    return el("time", { datetime: when, title: new Date(when).toLocaleString() }, text);
  }

  function dl(pairs) { return el("dl", {}, ...pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])); }

  /** A table; with pick, each row opens a detail panel (by mouse, or by keyboard on its first cell's button). */
  function table(headings, rows, cells, pick, empty) {
    if (rows.length === 0) return el("p", { class: "na" }, empty || "Nothing to show.");
    const head = el("tr", {}, ...headings.map(h => el("th", { scope: "col" }, h)));
    const body = rows.map(row => {
      const values = cells(row);
      const tr = el("tr", {});
      values.forEach((v, i) => {
        if (i === 0 && pick) {
          const target = pick(row);
          const button = el("button", { class: "link", type: "button" }, v);
          tr.className = "pick";
          tr.dataset.id = target.id;
          if (state.detail && state.detail.id === target.id) tr.setAttribute("aria-selected", "true");
          tr.addEventListener("click", () => { state.detail = target; render(); });
          tr.append(el("td", {}, button));
        } else {
          tr.append(el("td", {}, v));
        }
      });
      return tr;
    });
    return el("div", { class: "scroll" }, el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)));
  }

  // ---- Start ------------------------------------------------------------------------------------------------------

  function tick() { document.getElementById("clock").textContent = new Date().toLocaleTimeString(); }

  document.addEventListener("DOMContentLoaded", async () => {
    setTenant(new URLSearchParams(location.search).get("pak_id") || "");
    document.getElementById("tenant-select").addEventListener("change", e => { setTenant(e.target.value); show(state.view, false); });
    for (const link of document.querySelectorAll("nav a[data-view]")) {
      link.addEventListener("click", e => { e.preventDefault(); show(link.dataset.view, true); });
    }
    window.addEventListener("popstate", () => show(viewFromPath(), false));
    tick();
    setInterval(tick, 1000);
    await loadTenants();
    show(viewFromPath(), false);
    setInterval(render, REFRESH_MS);
    setInterval(loadTenants, REFRESH_MS * 6);
  });
})();
