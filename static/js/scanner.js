// The referee's scanner: read a card's QR code with the phone's camera and show the
// answer in place. The native BarcodeDetector where the browser has one, else jsQR
// (loaded only then) on frames of the video. The answer comes from /v/<token>.json,
// asked with the referee's session so the check is logged (and, for a code that is
// no card, logged in this league: the address says which). Dates and the time of the
// check come worded by the server (`display`), as the check page words them. Without
// this file (or a camera) the page is a plain form: type the card's member number or link.
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root) return;
  function byId(id) { return document.getElementById(id); }
  var startButton = byId("scan-start");
  var stopButton = byId("scan-stop");
  var camera = byId("camera");
  var video = byId("camera-video");
  var state = byId("scan-state");
  var result = byId("scan-result");
  var form = byId("code-form");
  var input = byId("code");

  var IN_URL = /\/v\/([A-Za-z0-9_-]{16,64})(?:\.json)?\/?(?:[?#].*)?$/;
  var TONES = { valid: "ok", not_yet_valid: "warn", pending: "warn" };
  var MARKS = { ok: "\u2713", warn: "!", bad: "\u2715" };
  var FRAME_MS = 200; // a few decodes a second are plenty, and spare a cheap phone's battery
  var SAME_CARD_MS = 4000; // the same card held in view is not checked again and again

  var stream = null;
  var decode = null;
  var scanning = false;
  var busy = false;
  var timer = null;
  var last = { token: null, at: 0 };

  function url(kind, token) {
    return root.dataset[kind].replace("TOKEN", encodeURIComponent(token));
  }

  function say(text, problem) {
    state.textContent = text;
    state.classList.toggle("problem", Boolean(problem));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // -- the answer ------------------------------------------------------------------

  function details(body) {
    var shown = body.display || {};
    var lines = [];
    if (body.status === "suspended" && shown.suspended_until) lines.push("Suspended until " + shown.suspended_until);
    if (body.status === "not_yet_valid" && shown.valid_from) lines.push("Valid from " + shown.valid_from);
    var current = ["valid", "not_yet_valid", "suspended"].indexOf(body.status) >= 0;
    if (current && shown.valid_through) lines.push("Valid through " + shown.valid_through);
    else if (!current && shown.ended_on) lines.push("Ended " + shown.ended_on);
    if (body.status === "unknown") lines.push("Not a card of any league here. Do not accept it.");
    if (body.status === "revoked") lines.push("A newer card exists for this player. Ask to see it.");
    else if (body.note) lines.push(body.note);
    return lines;
  }

  function show(body, token) {
    var tone = TONES[body.status] || "bad";
    var box = element("article", "result tone-" + tone);
    box.setAttribute("aria-label", "Check result");
    box.appendChild(element("p", "result-word", MARKS[tone] + " " + (body.word || "UNKNOWN")));
    var main = element("div", "result-body");
    if (token && body.name) {
      var photo = element("img", "result-photo");
      photo.alt = "Photo of " + body.name;
      photo.width = 120;
      photo.height = 150;
      photo.addEventListener("error", function () { photo.remove(); });
      photo.src = url("photo", token);
      main.appendChild(photo);
    }
    var text = element("div", "result-text");
    if (body.name) text.appendChild(element("p", "result-name", body.name));
    var who = [body.age_group, body.team].filter(Boolean).join(" · ");
    if (who) text.appendChild(element("p", "result-who", who));
    if (body.league) text.appendChild(element("p", "muted", body.league));
    details(body).forEach(function (line, index) {
      text.appendChild(element("p", index === 0 ? "result-note" : "", line));
    });
    var checked = (body.display || {}).checked_at;
    if (checked) text.appendChild(element("p", "muted", "Checked " + checked));
    main.appendChild(text);
    box.appendChild(main);
    if (stream) {
      var actions = element("div", "result-actions");
      var next = element("button", "button", "Scan the next card");
      next.type = "button";
      next.addEventListener("click", resume);
      actions.appendChild(next);
      box.appendChild(actions);
    }
    result.replaceChildren(box);
    say("");
    if (navigator.vibrate) navigator.vibrate(tone === "ok" ? 60 : [120, 80, 120]);
    box.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function answer(response) {
    if (response.status === 429) throw new Error("Too many checks in a minute. Wait a moment and try again.");
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") < 0) throw new Error("The check did not answer (" + response.status + "). Try again.");
    return response.json().then(function (body) {
      if (body.error) throw new Error(body.error);
      var found = IN_URL.exec(new URL(response.url, location.href).pathname);
      show(body, found ? found[1] : null);
    });
  }

  function failed(error) {
    var offline = error instanceof TypeError; // fetch() itself failed: no connection
    say(offline ? "No connection: a check needs the network. Try again when you have a signal." : error.message, true);
  }

  function request(address) {
    if (busy) return Promise.resolve();
    busy = true;
    say("Checking\u2026");
    return fetch(address, {
      credentials: "same-origin", // the referee's session: the check is logged
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then(answer)
      .catch(failed)
      .finally(function () { busy = false; });
  }

  // -- the camera ------------------------------------------------------------------

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("The QR reader could not be loaded.")); };
      document.head.appendChild(script);
    });
  }

  function nativeDecoder() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return function () {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    };
  }

  function jsqrDecoder() {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return function () {
      var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var frame = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
      return Promise.resolve(code ? code.data : null);
    };
  }

  function pickDecoder() {
    if (decode) return Promise.resolve(decode);
    var native = window.BarcodeDetector && window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats().catch(function () { return []; })
      : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) return (decode = nativeDecoder());
      if (window.jsQR) return (decode = jsqrDecoder());
      return loadScript(root.dataset.jsqr).then(function () { return (decode = jsqrDecoder()); });
    });
  }

  function found(text) {
    var match = IN_URL.exec((text || "").trim());
    if (!match) {
      say("That QR code is not a player card.", true);
      return;
    }
    var token = match[1];
    var now = Date.now();
    if (token === last.token && now - last.at < SAME_CARD_MS) return;
    last = { token: token, at: now };
    scanning = false; // hold the camera on this card until "Scan the next card"
    request(url("verify", token));
  }

  function tick() {
    if (!scanning) return;
    var step = video.readyState >= 2 && !busy ? decode() : Promise.resolve(null);
    step
      .then(function (text) { if (text && scanning) found(text); })
      .catch(function () { /* a frame that could not be read: try the next */ })
      .finally(function () { if (scanning) timer = setTimeout(tick, FRAME_MS); });
  }

  function resume() {
    if (!stream) return start();
    result.replaceChildren();
    last = { token: null, at: 0 };
    scanning = true;
    say("Point the camera at the card's QR code.");
    clearTimeout(timer);
    tick();
  }

  function start() {
    say("Opening the camera\u2026");
    navigator.mediaDevices
      .getUserMedia({ audio: false, video: { facingMode: { ideal: "environment" } } })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        camera.hidden = false;
        startButton.hidden = true;
        return video.play();
      })
      .then(pickDecoder)
      .then(resume)
      .catch(function (error) {
        stop();
        var blocked = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        say(blocked
          ? "The camera is blocked. Allow it in the browser's settings, or type the card's member number below."
          : "The camera could not start. Type the card's member number or link below.", true);
        input.focus();
      });
  }

  function stop() {
    scanning = false;
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    camera.hidden = true;
    startButton.hidden = false;
  }

  // -- wiring ------------------------------------------------------------------------

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    startButton.hidden = false;
    startButton.addEventListener("click", start);
    stopButton.addEventListener("click", function () { stop(); say(""); });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && stream) { stop(); say("The camera stopped while the page was hidden."); }
    });
  } else {
    say("No camera here (it needs a secure connection): type the card's member number or link below.");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value.trim();
    if (!code) {
      say("Type the card's member number or paste its link.", true);
      input.focus();
      return;
    }
    scanning = false;
    var query = new URLSearchParams({ code: code, format: "json" });
    request(form.action + "?" + query.toString()).then(function () {
      if (!state.classList.contains("problem")) input.value = "";
    });
  });
})();
