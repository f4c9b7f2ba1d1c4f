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
