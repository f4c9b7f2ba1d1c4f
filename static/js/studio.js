// Studio page: switch between generator forms without a reload (links still work without JS).
(function () {
  "use strict";
  const tabs = document.querySelectorAll(".tabs .tab");
  const panels = document.querySelectorAll(".generator-panel");

  function show(kind) {
    tabs.forEach((tab) => {
      const active = tab.dataset.kind === kind;
      tab.classList.toggle("tab-active", active);
      tab.setAttribute("aria-selected", active ? "true" : "false");
    });
    panels.forEach((panel) => { panel.hidden = panel.dataset.kind !== kind; });
  }

  tabs.forEach((tab) => {
    tab.addEventListener("click", (event) => {
      event.preventDefault();
      show(tab.dataset.kind);
      history.replaceState(null, "", "?kind=" + encodeURIComponent(tab.dataset.kind));
    });
  });
})();

// Voice lists: a button beside each plays a short sample of the chosen voice (made on first
// request by the voices API, so the first play of a voice can take a few seconds).
(function () {
  "use strict";
  document.querySelectorAll("select[data-voice-samples]").forEach((select) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm voice-sample";
    button.textContent = "Play sample";
    let audio = null;
    button.addEventListener("click", () => {
      const voice = select.value || select.dataset.defaultVoice;
      if (!voice) return;
      if (audio) audio.pause();
      button.disabled = true;
      button.textContent = "Loading…";
      audio = new Audio(select.dataset.voiceSamples + "/" + encodeURIComponent(voice) + "/sample");
      const done = (label) => { button.disabled = false; button.textContent = label; };
      audio.addEventListener("playing", () => done("Play sample"), { once: true });
      audio.addEventListener("error", () => done("No sample"), { once: true });
      audio.play().catch(() => done("Play sample"));
    });
    select.insertAdjacentElement("afterend", button);
  });
})();
