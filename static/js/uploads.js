// Upload widgets on the player form: each file goes up on its own, with a progress bar,
// as soon as it is chosen, so a slow connection or a form error never costs the upload.
// Photos then get a 4:5 crop frame to drag and resize (mouse, touch or keyboard).
// Without this file the form still works: the files post with the form itself.
(function () {
  "use strict";

  var RATIO = 4 / 5; // the card photo's width / height
  var MIN_FRACTION = 0.12; // the smallest crop frame, as a share of the image width
  var STEP = 0.02; // how far an arrow key moves or resizes the frame
  var BROWSER_IMAGES = /^image\/(jpeg|png|webp|gif)$/;

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) {
      // fall through to the form's hidden field
    }
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function megabytes(bytes) {
    return Math.round(bytes / (1024 * 1024));
  }

  // -- showing the widget's state -------------------------------------------------

  function part(widget, selector) {
    return widget.querySelector(selector);
  }

  function showError(widget, message, canRetry) {
    var error = part(widget, ".upload-error");
    error.textContent = message;
    error.hidden = false;
    widget.classList.add("has-error");
    part(widget, ".upload-retry").hidden = !canRetry;
  }

  function clearError(widget) {
    part(widget, ".upload-error").hidden = true;
    part(widget, ".upload-retry").hidden = true;
    widget.classList.remove("has-error");
    var notKept = part(widget, ".upload-not-kept");
    if (notKept) notKept.remove();
  }

  function setBusy(widget, busy) {
    part(widget, ".upload-progress").hidden = !busy;
    widget.classList.toggle("is-uploading", busy);
    part(widget, "input[type=file]").disabled = busy; // one file at a time per widget
    var form = widget.closest("form");
    if (!form) return;
    // Saving while a file is still on its way would send it twice.
    var uploading = busy || form.querySelector(".upload.is-uploading") !== null;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = uploading;
    });
  }

  function setProgress(widget, fraction) {
    var percent = Math.min(100, Math.round(fraction * 100));
    part(widget, "progress").value = percent;
    part(widget, ".upload-percent").textContent = percent + "%";
  }

  // -- sending one file --------------------------------------------------------------

  function upload(widget, input, file) {
    clearError(widget);
    setProgress(widget, 0);
    setBusy(widget, true);
    var xhr = new XMLHttpRequest();
    var data = new FormData();
    data.append("file", file, file.name);
    xhr.open("POST", widget.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("Accept", "text/html");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) setProgress(widget, event.loaded / event.total);
    });
    xhr.addEventListener("load", function () {
      setBusy(widget, false);
      answered(widget, input, file, xhr);
    });
    xhr.addEventListener("error", function () {
      setBusy(widget, false);
      showError(
        widget,
        "The upload did not get through. Check your connection, then try again: nothing you typed is lost.",
        true
      );
    });
    xhr.addEventListener("abort", function () {
      setBusy(widget, false);
      showError(widget, "Upload cancelled.", true);
    });
    part(widget, ".upload-cancel").onclick = function () {
      xhr.abort();
    };
    part(widget, ".upload-retry").onclick = function () {
      upload(widget, input, file);
    };
    xhr.send(data);
  }

  function answered(widget, input, file, xhr) {
    var fresh = widgetFrom(xhr.responseText, widget.id);
    if (xhr.status === 200 && fresh) {
      input.removeAttribute("name"); // the file is staged: the form must not send it again
      usePhoneCopy(fresh, file);
      widget.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
      setup(fresh);
      var done = part(fresh, ".upload-done");
      if (done) done.focus({ preventScroll: true });
      return;
    }
    input.value = ""; // a refused file cannot be sent again; the earlier upload stays
    if (xhr.status === 422 && fresh) {
      showError(widget, part(fresh, ".upload-error").textContent.trim(), false);
    } else if (xhr.status === 413) {
      showError(widget, "That file is too large. Files can be up to 10 MB.", false);
    } else if (xhr.status === 429) {
      showError(widget, "Too many uploads in a short time. Please wait a few minutes.", true);
    } else if (xhr.status === 400 || xhr.status === 401 || (xhr.status === 200 && !fresh)) {
      showError(widget, "Your session has expired. Please reload the page and sign in again.", false);
    } else {
      showError(widget, "Something went wrong on our side (" + xhr.status + "). Please try again.", true);
    }
  }

  function widgetFrom(html, id) {
    var template = document.createElement("template");
    template.innerHTML = html || "";
    var found = template.content.getElementById(id);
    return found ? document.importNode(found, true) : null;
  }

  // Show the photo from the phone itself rather than downloading it back over a slow
  // connection. Browsers can't draw HEIC, so those keep the server's converted copy.
  function usePhoneCopy(fresh, file) {
    var image = fresh.querySelector(".crop-image, .doc-preview img");
    if (!image || !BROWSER_IMAGES.test(file.type) || !window.URL) return;
    var serverCopy = image.getAttribute("src");
    image.addEventListener("error", function fallback() {
      image.removeEventListener("error", fallback);
      image.src = serverCopy;
    });
    var local = URL.createObjectURL(file);
    image.addEventListener("load", function () {
      URL.revokeObjectURL(local); // drawn now; free the memory on a small phone
    }, { once: true });
    image.src = local;
  }

  function chosen(event) {
    var input = event.target;
    if (!input.matches || !input.matches(".upload input[type=file]")) return;
    var widget = input.closest(".upload");
    var file = input.files && input.files[0];
    if (!widget || !file) return;
    var limit = Number(widget.dataset.maxBytes || 10485760);
    if (file.size > limit) {
      input.value = "";
      showError(
        widget,
        "That file is " + megabytes(file.size) + " MB. Files can be up to " + megabytes(limit) +
          " MB: please choose a smaller one.",
        false
      );
      return;
    }
    upload(widget, input, file);
  }

  // -- the crop frame ----------------------------------------------------------------

  function setupCrop(widget) {
    var crop = part(widget, "[data-crop]");
    if (!crop || crop.dataset.ready) return;
    crop.dataset.ready = "1";
    var frame = part(crop, ".crop-frame");
    var box = part(crop, ".crop-box");
    var handle = part(crop, ".crop-handle");
    var fields = {
      x: widget.querySelector("input[name=crop_x]"),
      y: widget.querySelector("input[name=crop_y]"),
      w: widget.querySelector("input[name=crop_w]"),
    };
    var imageWidth = Number(crop.dataset.width) || 1;
    var imageHeight = Number(crop.dataset.height) || 1;
    // The frame's height as a share of the image height, per share of its width.
    var tall = imageWidth / RATIO / imageHeight;
    // A hair under the full height, so rounding to pixels on the server never overshoots.
    var maxWidth = Math.min(1, 1 / tall - 0.001);
    var state = {
      x: parseFloat(fields.x.value),
      y: parseFloat(fields.y.value),
      w: parseFloat(fields.w.value),
    };
    if (!(state.w > 0)) state = { x: (1 - maxWidth) / 2, y: 0, w: maxWidth };

    function clamp() {
      state.w = Math.max(Math.min(state.w, maxWidth), Math.min(MIN_FRACTION, maxWidth));
      state.x = Math.min(Math.max(state.x, 0), 1 - state.w);
      state.y = Math.min(Math.max(state.y, 0), 1 - state.w * tall);
    }

    function draw() {
      clamp();
      box.style.left = state.x * 100 + "%";
      box.style.top = state.y * 100 + "%";
      box.style.width = state.w * 100 + "%";
      box.style.height = state.w * tall * 100 + "%";
      fields.x.value = state.x.toFixed(4);
      fields.y.value = state.y.toFixed(4);
      fields.w.value = (Math.floor(state.w * 10000) / 10000).toFixed(4);
    }

    var drag = null;
    function start(event, mode) {
      if (event.button !== undefined && event.button !== 0) return;
      event.preventDefault();
      event.stopPropagation();
      var rect = frame.getBoundingClientRect();
      drag = { mode: mode, id: event.pointerId, x0: event.clientX, y0: event.clientY, rect: rect,
        from: { x: state.x, y: state.y, w: state.w } };
      box.setPointerCapture(event.pointerId);
      box.classList.add("is-dragging");
    }
    function move(event) {
      if (!drag || event.pointerId !== drag.id) return;
      var dx = (event.clientX - drag.x0) / drag.rect.width;
      var dy = (event.clientY - drag.y0) / drag.rect.height;
      if (drag.mode === "move") {
        state.x = drag.from.x + dx;
        state.y = drag.from.y + dy;
      } else {
        // The corner follows the finger; the frame keeps its 4:5 shape.
        var byWidth = drag.from.w + dx;
        var byHeight = drag.from.w + dy / tall;
        state.x = drag.from.x;
        state.y = drag.from.y;
        state.w = Math.min(Math.max(byWidth, byHeight), 1 - drag.from.x, (1 - drag.from.y) / tall);
      }
      draw();
    }
    function stop(event) {
      if (!drag || event.pointerId !== drag.id) return;
      drag = null;
      box.classList.remove("is-dragging");
    }

    box.addEventListener("pointerdown", function (event) {
      start(event, event.target === handle || handle.contains(event.target) ? "resize" : "move");
    });
    box.addEventListener("pointermove", move);
    box.addEventListener("pointerup", stop);
    box.addEventListener("pointercancel", stop);
    box.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (moves[event.key]) {
        state.x += moves[event.key][0] * STEP;
        state.y += moves[event.key][1] * STEP;
      } else if (event.key === "+" || event.key === "=") {
        state.w += STEP;
      } else if (event.key === "-" || event.key === "_") {
        state.w -= STEP;
      } else {
        return;
      }
      event.preventDefault();
      draw();
    });

    box.hidden = false;
    part(crop, ".crop-help").hidden = false;
    draw();
  }

  function setup(root) {
    if (root.matches && root.matches(".upload")) {
      setupCrop(root);
      return;
    }
    root.querySelectorAll(".upload").forEach(setupCrop);
  }

  document.addEventListener("change", chosen);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      setup(document);
    });
  } else {
    setup(document);
  }
})();
