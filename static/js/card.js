// The player's card on the phone: the ticking clock, the "offline / last updated"
// banner, the service worker that keeps a copy for the field, and "add to home screen".
// The card, its QR code and the PDF download all work without this file.
(function () {
  "use strict";

  var root = document.querySelector("[data-card-page]");
  if (!root) return;
  var zone = root.dataset.timezone || undefined;

  function formatter(options) {
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: zone }, options));
    } catch (error) {
      // An unknown zone on an old phone: the phone's own time zone, rather than no clock.
      return new Intl.DateTimeFormat("en-GB", options);
    }
  }

  // -- the clock: ticks on each second, in the league's time zone ------------------------
  var timeBox = root.querySelector("[data-clock-time]");
  var dateBox = root.querySelector("[data-clock-date]");
  var timeFormat = formatter({ hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  var dateFormat = formatter({ weekday: "short", day: "numeric", month: "short" });

  function tick() {
    var now = new Date();
    if (timeBox) {
      timeBox.textContent = timeFormat.format(now);
      timeBox.setAttribute("datetime", now.toISOString());
    }
    if (dateBox) dateBox.textContent = dateFormat.format(now).replace(",", "");
    window.setTimeout(tick, 1000 - (Date.now() % 1000) + 10);
  }
  if (timeBox) tick();

  // -- offline: say how old the card on the screen is ------------------------------------
  var banner = root.querySelector("[data-offline-banner]");
  var renderedAt = new Date(root.dataset.renderedAt);
  var fromCache = root.dataset.source === "cache";
  var whenFormat = formatter({
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function showFreshness() {
    if (!banner) return;
    var offline = navigator.onLine === false;
    if (!offline && !fromCache) {
      banner.hidden = true;
      return;
    }
    banner.querySelector("[data-offline-title]").textContent = offline ? "Offline" : "Saved copy";
    if (!isNaN(renderedAt)) {
      banner.querySelector("[data-offline-when]").textContent = whenFormat.format(renderedAt).replace(",", "");
    }
    banner.querySelector("[data-offline-retry]").hidden = offline;
    banner.hidden = false;
  }

  // Offline, the PDF cannot download and the widget cannot ask: hide them, stop asking.
  function showOnlineOnly() {
    root.querySelectorAll("[data-online-only]").forEach(function (element) {
      element.hidden = navigator.onLine === false;
    });
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (navigator.onLine === false && event.target.closest("#card-making")) event.preventDefault();
  });
  window.addEventListener("online", showOnlineOnly);
  window.addEventListener("offline", showOnlineOnly);
  showOnlineOnly();
  window.addEventListener("online", showFreshness);
  window.addEventListener("offline", showFreshness);
  showFreshness();

  // -- the service worker: keep this card and what it needs for the field ---------------
  function pageAssets() {
    var urls = [];
    document.querySelectorAll("link[rel~='stylesheet'], link[rel~='icon'], link[rel='apple-touch-icon'], link[rel='manifest']")
      .forEach(function (link) { urls.push(link.href); });
    document.querySelectorAll("script[src]").forEach(function (script) { urls.push(script.src); });
    document.querySelectorAll("img[src]").forEach(function (img) { urls.push(img.src); });
    return urls.filter(function (url) { return url.indexOf(location.origin + "/") === 0; });
  }

  if ("serviceWorker" in navigator && root.dataset.sw) {
    // Asked now: once the new worker claims this page, it has a controller but no copy.
    var servedByWorker = fromCache || !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.swScope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (!registration.active) return;
      registration.active.postMessage({
        type: "keep-card",
        page: location.origin + location.pathname,
        // A page the worker served itself is kept already; otherwise fetch a copy.
        fetchPage: !servedByWorker,
        assets: pageAssets(),
      });
    }).catch(function () {
      // No worker (private browsing, an old phone): the card still works online.
    });
  }

  // -- add to home screen -----------------------------------------------------------------
  var install = root.querySelector("[data-install]");
  var offer = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    if (!install) return;
    event.preventDefault();
    offer = event;
    install.hidden = false;
    var help = root.querySelector("[data-install-help]");
    if (help) help.hidden = true;
  });
  if (install) {
    install.addEventListener("click", function () {
      if (!offer) return;
      offer.prompt();
      offer.userChoice.finally(function () {
        offer = null;
        install.hidden = true;
      });
    });
  }
  window.addEventListener("appinstalled", function () {
    if (install) install.hidden = true;
  });
})();
