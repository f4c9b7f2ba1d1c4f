// Gallery page: rename in place, change visibility, copy the share link and delete, each
// through the videos API with the session cookie and the page's CSRF token.
(function () {
  "use strict";

  var root = document.getElementById("gallery");
  if (!root) return;
  var csrf = root.getAttribute("data-csrf");
  var statusLine = document.getElementById("gallery-status");
  var dialog = document.getElementById("delete-dialog");

  function say(text) {
    statusLine.textContent = text;
  }

  // The first message DRF gives for a field (or a general one), in words for a person.
  function errorText(body, fallback) {
    if (!body) return fallback;
    if (typeof body.detail === "string") return body.detail;
    for (var key in body) {
      var value = body[key];
      if (Array.isArray(value) && value.length) return String(value[0]);
      if (typeof value === "string") return value;
    }
    return fallback;
  }

  function api(url, method, payload) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) return null;
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok) {
          var error = new Error(errorText(body, "Something went wrong (" + response.status + ")."));
          error.status = response.status;
          throw error;
        }
        return body;
      });
    });
  }

  function busy(card, on) {
    card.classList.toggle("is-busy", on);
  }

  function showRename(card, on) {
    card.querySelector("[data-title-row]").hidden = on;
    var form = card.querySelector("[data-rename-form]");
    form.hidden = !on;
    form.querySelector("[data-error]").textContent = "";
    if (on) {
      var input = form.querySelector("input[name=title]");
      input.value = card.getAttribute("data-title");
      input.focus();
      input.select();
    } else {
      card.querySelector("[data-action=rename]").focus();
    }
  }

  function rename(card, form) {
    var input = form.querySelector("input[name=title]");
    var title = input.value.trim();
    var errorLine = form.querySelector("[data-error]");
    if (!title) {
      errorLine.textContent = "The title cannot be empty.";
      input.focus();
      return;
    }
    if (title === card.getAttribute("data-title")) {
      showRename(card, false);
      return;
    }
    busy(card, true);
    api(card.getAttribute("data-api"), "PATCH", { title: title })
      .then(function (video) {
        card.setAttribute("data-title", video.title);
        card.querySelector("[data-title-text]").textContent = video.title;
        showRename(card, false);
        say("Renamed to “" + video.title + "”.");
      })
      .catch(function (error) {
        errorLine.textContent = error.message;
        input.focus();
      })
      .finally(function () { busy(card, false); });
  }

  function setVisibility(card, select) {
    var previous = select.getAttribute("data-current");
    busy(card, true);
    api(card.getAttribute("data-api"), "PATCH", { visibility: select.value })
      .then(function (video) {
        select.setAttribute("data-current", video.visibility);
        var badge = card.querySelector("[data-visibility-badge]");
        var label = select.options[select.selectedIndex].text;
        badge.textContent = label;
        badge.className = "badge badge-" + video.visibility;
        var share = card.querySelector("[data-action=share]");
        share.disabled = video.visibility === "private";
        share.title = share.disabled ? "Make it unlisted or public to share it" : "";
        say("“" + video.title + "” is now " + label.toLowerCase() + ".");
      })
      .catch(function (error) {
        select.value = previous;
        say(error.message);
      })
      .finally(function () { busy(card, false); });
  }

  function share(card, button) {
    var url = new URL(card.getAttribute("data-page"), window.location.href).href;
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      say("Link copied: " + url);
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copy this link:", url); });
    } else {
      // Plain-http deployments have no clipboard API.
      window.prompt("Copy this link:", url);
    }
  }

  function remove(card) {
    busy(card, true);
    api(card.getAttribute("data-api"), "DELETE")
      .then(function () {
        var title = card.getAttribute("data-title");
        card.remove();
        say("Deleted “" + title + "”.");
      })
      .catch(function (error) {
        busy(card, false);
        say(error.message);
      });
  }

  function confirmDelete(card) {
    var title = card.getAttribute("data-title");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm("Delete “" + title + "”? This cannot be undone.")) remove(card);
      return;
    }
    dialog.querySelector("[data-dialog-title]").textContent = title;
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue === "delete") remove(card);
    };
    dialog.showModal();
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button || button.tagName === "SELECT") return;
    var card = button.closest("[data-video]");
    if (!card) return;
    switch (button.getAttribute("data-action")) {
      case "rename": showRename(card, true); break;
      case "cancel-rename": showRename(card, false); break;
      case "share": share(card, button); break;
      case "delete": confirmDelete(card); break;
    }
  });

  root.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-action=visibility]");
    if (select) setVisibility(select.closest("[data-video]"), select);
  });

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-rename-form]");
    if (!form) return;
    event.preventDefault();
    rename(form.closest("[data-video]"), form);
  });

  root.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest("[data-rename-form]");
    if (form) showRename(form.closest("[data-video]"), false);
  });
})();
