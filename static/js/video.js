// Video page: copy the share link, and report the video to the moderators through the API.
(function () {
  "use strict";

  var page = document.getElementById("video-page");
  if (!page) return;
  var statusLine = document.getElementById("video-status");
  var dialog = document.getElementById("report-dialog");
  var form = document.getElementById("report-form");
  var reportButton = page.querySelector("[data-action=report]");
  var shareButton = page.querySelector("[data-action=share]");

  if (shareButton) {
    shareButton.addEventListener("click", function () {
      var url = window.location.href.split("#")[0];
      var done = function () {
        shareButton.textContent = "Copied";
        setTimeout(function () { shareButton.textContent = "Copy link"; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copy this link:", url); });
      } else {
        window.prompt("Copy this link:", url);
      }
    });
  }

  if (!reportButton || !dialog || !form) return;
  var errorLine = form.querySelector("[data-error]");

  function firstError(body, fallback) {
    if (!body) return fallback;
    if (typeof body.detail === "string") return body.detail;
    for (var key in body) {
      if (Array.isArray(body[key]) && body[key].length) return String(body[key][0]);
    }
    return fallback;
  }

  function finished(message) {
    if (dialog.open) dialog.close();
    reportButton.remove();
    statusLine.textContent = message;
  }

  reportButton.addEventListener("click", function () {
    errorLine.textContent = "";
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    form.elements.reason.focus();
  });

  form.querySelector("[data-action=close]").addEventListener("click", function () {
    if (typeof dialog.close === "function") dialog.close();
    else dialog.removeAttribute("open");
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!form.elements.reason.value) {
      errorLine.textContent = "Choose a reason.";
      form.elements.reason.focus();
      return;
    }
    var submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    fetch(page.getAttribute("data-report-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": page.getAttribute("data-csrf"),
      },
      body: JSON.stringify({ reason: form.elements.reason.value, text: form.elements.text.value }),
    })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (response.status === 201) {
            finished("Thank you. A moderator will look at this video.");
          } else if (response.status === 409) {
            finished(firstError(body, "You have already reported this video."));
          } else {
            errorLine.textContent = firstError(body, "The report could not be sent.");
          }
        });
      })
      .catch(function () {
        errorLine.textContent = "The report could not be sent. Check your connection.";
      })
      .finally(function () { submit.disabled = false; });
  });
})();
