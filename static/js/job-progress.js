// Job page: follows the job over its WebSocket and updates the page without reloads.
// On a dropped connection it reconnects with ?after=<last seq seen>, so nothing is missed
// and nothing is shown twice.
(function () {
  "use strict";
  const root = document.getElementById("job");
  if (!root) return;
  const jobId = root.dataset.jobId;
  const apiUrl = root.dataset.api;
  let job = JSON.parse(document.getElementById("job-data").textContent);
  let lastSeq = 0;
  let retryDelay = 500;
  let socket = null;

  const $ = (id) => document.getElementById(id);

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The buttons follow the actions the server says are allowed now.
  function setStatus(status, actions) {
    const badge = $("job-status");
    badge.className = "badge badge-" + status;
    badge.textContent = status;
    ["cancel", "retry", "continue"].forEach((action) => {
      $(action).hidden = !(actions || []).includes(action);
    });
    if (status !== "running") $("job-eta").hidden = true;
  }

  function setProgress(value) {
    if (value === null || value === undefined) return;
    const bar = $("job-progress");
    bar.setAttribute("aria-valuenow", String(value));
    bar.querySelector(".progress-bar").style.width = value + "%";
    $("job-percent").textContent = value + "%";
    updateEta(value);
  }

  function updateEta(value) {
    const eta = $("job-eta");
    if (!job.started_at || value <= 0 || value >= 100 || job.status !== "running") {
      eta.hidden = true;
      return;
    }
    const elapsed = (Date.now() - Date.parse(job.started_at)) / 1000;
    const remaining = Math.max(0, Math.round((elapsed * (100 - value)) / value));
    eta.textContent = "about " + (remaining < 90 ? remaining + " s" : Math.round(remaining / 60) + " min") + " left";
    eta.hidden = false;
  }

  function setStages(stages) {
    const list = $("stages");
    list.replaceChildren();
    stages.forEach((stage) => {
      const item = document.createElement("li");
      item.className = "stage";
      item.dataset.stage = stage.name;
      item.dataset.state = stage.state;
      item.innerHTML = '<span class="stage-mark" aria-hidden="true"></span><span class="stage-label"></span><span class="stage-time"></span>';
      item.querySelector(".stage-label").textContent = stage.label;
      if (stage.seconds !== null && stage.seconds !== undefined) {
        item.querySelector(".stage-time").textContent = stage.seconds.toFixed(1) + " s";
      }
      list.appendChild(item);
    });
  }

  function markStage(name, state, seconds) {
    const items = document.querySelectorAll("#stages .stage");
    let seen = false;
    items.forEach((item) => {
      if (item.dataset.stage === name) {
        seen = true;
        item.dataset.state = state;
        if (seconds !== undefined) item.querySelector(".stage-time").textContent = seconds.toFixed(1) + " s";
      } else if (!seen && state === "running" && item.dataset.state !== "done") {
        item.dataset.state = "done";
      }
    });
  }

  function showError(message, hint) {
    $("job-error").hidden = false;
    $("job-error-message").textContent = message || "";
    $("job-error-hint").textContent = hint || "";
  }

  function showVideo(snapshot) {
    if (!snapshot.video) return;
    const video = $("video");
    if (!video.getAttribute("src")) {
      video.setAttribute("poster", snapshot.video.thumbnail);
      if (snapshot.video.captions_vtt && !video.querySelector("track")) {
        const track = document.createElement("track");
        // Captions drawn into the picture would show twice: the track stays selectable but off.
        const burned = Boolean(snapshot.video.captions_burned);
        Object.assign(track, { kind: "captions", srclang: "en", default: !burned,
          label: burned ? "Captions (also in the picture)" : "Captions" });
        track.src = snapshot.video.captions_vtt;
        video.appendChild(track);
      }
      video.setAttribute("src", snapshot.video.url);
    }
    $("captions-note").hidden = !snapshot.video.captions_burned;
    $("video-page").setAttribute("href", snapshot.video.page);
    $("player").hidden = false;
  }

  function log(event) {
    const item = document.createElement("li");
    const time = event.at ? new Date(event.at).toLocaleTimeString() : "";
    const where = event.stage ? " [" + event.stage + "]" : "";
    item.textContent = time + " " + event.type + where + (event.message ? ": " + event.message : "");
    const list = $("event-log");
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  function applySnapshot(snapshot) {
    job = snapshot;
    setStatus(snapshot.status, snapshot.actions);
    setStages(snapshot.stages);
    setProgress(snapshot.progress);
    $("job-message").textContent = snapshot.message || "";
    if (snapshot.error) showError(snapshot.error.message, snapshot.error.hint);
    else $("job-error").hidden = true;
    showVideo(snapshot);
    tell("job:snapshot", { job: snapshot });
  }

  // Other modules of the page (the storyboard editor) follow the job through these.
  function tell(name, detail) {
    root.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function applyEvent(event) {
    lastSeq = event.seq;
    log(event);
    if (event.progress !== null && event.progress !== undefined) setProgress(event.progress);
    if (event.message) $("job-message").textContent = event.message;
    // Every change of status comes with the new status and the actions it allows.
    if (event.payload && event.payload.status) {
      job.status = event.payload.status;
      job.actions = event.payload.actions || job.actions;
      if (job.status === "running" && !job.started_at) job.started_at = event.at;
      if (job.status === "queued") $("job-error").hidden = true;
      setStatus(job.status, job.actions);
    }
    switch (event.type) {
      case "progress":
        if (event.stage) markStage(event.stage, "running");
        break;
      case "stage_complete":
        markStage(event.stage, "done", event.payload.seconds);
        break;
      case "job_complete":
        refresh();
        break;
      case "error":
        if (!event.payload.retrying) showError(event.message, event.payload.hint);
        break;
    }
    tell("job:event", { event: event, job: job });
  }

  async function refresh() {
    const response = await fetch(apiUrl, { credentials: "same-origin" });
    if (response.ok) applySnapshot(await response.json());
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/jobs/" + jobId + "/?after=" + lastSeq);
    socket.addEventListener("open", () => {
      retryDelay = 500;
      $("connection").textContent = "live";
    });
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "connected") return;
      if (data.type === "snapshot") {
        applySnapshot(data.job);
        return;
      }
      if (typeof data.seq === "number" && data.seq > lastSeq) applyEvent(data);
    });
    socket.addEventListener("close", () => {
      $("connection").textContent = "reconnecting…";
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  async function act(action) {
    const response = await fetch(apiUrl + "/" + action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) showError(body.detail || "That did not work.", "");
    else if (action === "retry") $("job-error").hidden = true;
  }

  $("cancel").addEventListener("click", () => act("cancel"));
  $("retry").addEventListener("click", () => act("retry"));
  $("continue").addEventListener("click", () => act("continue"));
  setStatus(job.status, job.actions);
  connect();
})();
