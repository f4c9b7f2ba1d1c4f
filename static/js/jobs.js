// Jobs list: live status badges and progress over the user's WebSocket.
(function () {
  "use strict";
  const table = document.getElementById("jobs-table");
  if (!table) return;

  function row(jobId) {
    return table.querySelector('tr[data-job-id="' + jobId + '"]');
  }

  function update(jobId, status, progress) {
    const tr = row(jobId);
    if (!tr) return;
    if (status) {
      const badge = tr.querySelector(".job-status");
      badge.className = "badge badge-" + status + " job-status";
      badge.textContent = status;
    }
    if (progress !== null && progress !== undefined) {
      tr.querySelector(".progress-bar").style.width = progress + "%";
    }
  }

  function connect(delay) {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/jobs/");
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "snapshot") {
        data.jobs.forEach((job) => update(job.id, job.status, job.progress));
        return;
      }
      if (!data.job) return;
      // Changes of status carry the new one; a stage's progress means it runs.
      let status = data.payload.status || null;
      if (data.type === "progress" && data.stage) status = "running";
      update(data.job, status, data.progress);
    });
    socket.addEventListener("open", () => { delay = 500; });
    socket.addEventListener("close", () => setTimeout(() => connect(Math.min(delay * 2, 10000)), delay));
  }
  connect(500);
})();
