// League Badge: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function flash(message, category) {
    var box = document.getElementById("flashes");
    if (!box) return;
    var item = document.createElement("div");
    item.className = "flash flash-" + (category || "info");
    item.setAttribute("role", category === "error" ? "alert" : "status");
    var text = document.createElement("span");
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    item.appendChild(text);
    item.appendChild(close);
    box.appendChild(item);
  }

  // Dismiss buttons on flash messages.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".flash-close");
    if (button) button.closest(".flash").remove();
  });

  // Close the menu when a link inside it is followed or when tapping elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // A failed htmx request says so instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = "Something went wrong (" + xhr.status + "). Please try again.";
    if (xhr.status === 404) message = "That item no longer exists. Reload the page to see the latest.";
    if (xhr.status === 429) message = "Too many attempts. Please wait a minute and try again.";
    if (xhr.status === 400 && /expired/i.test(xhr.responseText)) {
      message = "This page has expired. Please reload it and try again.";
    }
    flash(message, "error");
  });

  // On a bad connection, tell the user rather than leaving a spinner.
  document.addEventListener("htmx:sendError", function () {
    flash("You seem to be offline. Check your connection and try again.", "error");
  });
  document.addEventListener("htmx:timeout", function () {
    flash("The connection is slow. Please try again.", "error");
  });
})();
