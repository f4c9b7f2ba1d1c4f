// Library page: upload a picture or clip with tags, and delete one, through the media API
// with the session cookie and the page's CSRF token.
(function () {
  "use strict";

  var root = document.getElementById("library");
  if (!root) return;
  var csrf = root.getAttribute("data-csrf");
  var form = document.getElementById("library-upload");
  var statusLine = document.getElementById("library-status");

  function say(text) {
    statusLine.textContent = text;
  }

  // The first message DRF gives for a field (or a general one), in words for a person.
  function errorText(body, fallback) {
    if (!body) return fallback;
    if (typeof body.detail === "string") return body.detail;
    for (var key in body) {
      var value = body[key];
      if (Array.isArray(value) && value.length) return key + ": " + value[0];
    }
    return fallback;
  }

  function send(url, method, body) {
    return fetch(url, {
      method: method,
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    }).then(function (response) {
      if (response.status === 204) return null;
      return response.json().then(
        function (data) {
          if (!response.ok) throw new Error(errorText(data, "Failed (" + response.status + ")."));
          return data;
        },
        function () {
          throw new Error("Failed (" + response.status + ").");
        }
      );
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say("Uploading and checking…");
    send("/api/v1/media", "POST", new FormData(form))
      .then(function () {
        say("Added.");
        window.location.reload();
      })
      .catch(function (error) {
        say(error.message);
      })
      .finally(function () {
        button.disabled = false;
      });
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest(".library-delete");
    if (!button) return;
    var item = button.closest("[data-item-id]");
    if (!window.confirm("Delete this item from your library?")) return;
    button.disabled = true;
    send("/api/v1/media/" + item.getAttribute("data-item-id"), "DELETE")
      .then(function () {
        item.remove();
        say("Deleted.");
      })
      .catch(function (error) {
        button.disabled = false;
        say(error.message);
      });
  });
})();
