// The player's card on the phone: the ticking clock, the "offline / last updated"
// banner, a saved copy's status checked against today's date, the service worker that
// keeps a copy for the field, and "add to home screen".
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

  var renderedAt = new Date(root.dataset.renderedAt);
  var fromCache = root.dataset.source === "cache";

  // -- a saved copy past its dates: EXPIRED or NOT YET VALID by the phone's date --------
  // The page says what the card was when it was drawn. Shown from the phone's copy
  // (offline, or the server slow) or left open past midnight, it may be out of date:
  // a card whose last valid day has passed must not go on saying VALID. A page fresh
  // from the server is believed, whatever the phone's clock says (the day it was
  // opened is the phone's too, so a phone set wrong does not turn a fresh card).
  // Only ever downgraded here: whether a card has become valid, only the server knows.
  var card = root.querySelector("[data-card-status]");
  var dayParts = formatter({ year: "numeric", month: "2-digit", day: "2-digit" });
  var asOfFormat = formatter({ weekday: "short", day: "numeric", month: "short", year: "numeric" });
  var STILL_DATED = ["valid", "not_yet_valid", "suspended"];
  var drawnStatus = null; // the status as the server drew it, to put back
  var openedDay = isoDay(new Date());

  function isoDay(moment) {
    var parts = {};
    dayParts.formatToParts(moment).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function datesVerdict(today) {
    var code = card.dataset.cardStatus;
    var from = card.dataset.validFrom;
    var through = card.dataset.validThrough;
    if (through && today > through && STILL_DATED.indexOf(code) !== -1) return "expired";
    if (from && today < from && code === "valid") return "not_yet_valid";
    return null;
  }

  function line(parts) {
    // [text, strong text, text...]: the dates line, without innerHTML.
    var box = document.createDocumentFragment();
    parts.forEach(function (part, index) {
      if (index % 2) {
        var strong = document.createElement("strong");
        strong.textContent = part;
        box.appendChild(strong);
      } else {
        box.appendChild(document.createTextNode(part));
      }
    });
    return box;
  }

  function showDates() {
    if (!card) return;
    var status = card.querySelector("[data-status]");
    var dates = card.querySelector("[data-status-dates]");
    if (!status || !dates) return;
    if (drawnStatus === null) {
      drawnStatus = { status: status.cloneNode(true), dates: dates.cloneNode(true) };
    }
    var now = new Date();
    var today = isoDay(now);
    var stale = fromCache || navigator.onLine === false || today !== openedDay;
    var verdict = stale ? datesVerdict(today) : null;
    if (!verdict) {
      if (card.dataset.datesVerdict) {
        status.replaceWith(drawnStatus.status.cloneNode(true));
        dates.replaceWith(drawnStatus.dates.cloneNode(true));
        delete card.dataset.datesVerdict;
      }
      return;
    }
    var expired = verdict === "expired";
    status.className = "pcard-status " + (expired ? "pcard-bad" : "pcard-warn");
    status.querySelector(".pcard-mark").textContent = expired ? "\u2715" : "!";
    status.querySelector(".pcard-word").textContent = expired ? "EXPIRED" : "NOT YET VALID";
    var asOf = " \u00b7 as of " + asOfFormat.format(now).replace(/,/g, "");
    dates.replaceChildren(line(expired
      ? ["Ended ", card.dataset.validThroughText || card.dataset.validThrough, asOf]
      : ["Starts ", card.dataset.validFromText || card.dataset.validFrom, asOf]));
    card.dataset.datesVerdict = verdict;
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
    if (dateBox) {
      var day = dateFormat.format(now).replace(",", "");
      if (dateBox.textContent !== day) showDates(); // a new day: are the dates still good?
      dateBox.textContent = day;
    }
    window.setTimeout(tick, 1000 - (Date.now() % 1000) + 10);
  }
  if (timeBox) tick();
  showDates();

  // -- offline: say how old the card on the screen is ------------------------------------
  var banner = root.querySelector("[data-offline-banner]");
  // With the year: a copy saved last season must not pass for this season's.
  var whenFormat = formatter({
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hour12: false,
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
      banner.querySelector("[data-offline-when]").textContent = whenFormat.format(renderedAt).replace(/,/g, "");
    }
    banner.querySelector("[data-offline-retry]").hidden = offline;
    banner.hidden = false;
  }

  // -- a photo that does not load: the initials, as for a player without a photo -------
  root.querySelectorAll("img.pcard-photo").forEach(function (img) {
    function useInitials() {
      var box = document.createElement("span");
      box.className = "pcard-photo pcard-photo-none";
      box.setAttribute("role", "img");
      box.setAttribute("aria-label", "Photo not available");
      box.textContent = img.dataset.initials || "";
      img.replaceWith(box);
    }
    if (img.complete && img.naturalWidth === 0) useInitials();
    else img.addEventListener("error", useInitials);
  });

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

  function onConnection() {
    showFreshness();
    showDates();
  }
  window.addEventListener("online", onConnection);
  window.addEventListener("offline", onConnection);
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
