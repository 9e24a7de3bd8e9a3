// League Badge: the registrar's review screen and list. Keyboard shortcuts,
// the reason picker, focus after each slide, "select all" in the list.
// Every action also works without this file (plain links and form posts).
(function () {
  "use strict";

  var TEXT_INPUTS = ["checkbox", "radio", "button", "submit", "reset", "file", "color", "range"];

  // Is the user typing? Then letters are letters, not shortcuts.
  function typing(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable) return true;
    if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && TEXT_INPUTS.indexOf(el.type) === -1;
  }

  function currentItem() {
    return document.getElementById("review-item");
  }

  // A request is on its way, or a profile is sliding out or in: ignore keys until the
  // new one has settled, so a quick double "a" never approves a profile nobody saw.
  function busy(item) {
    return /\bhtmx-(swapping|settling|added)\b/.test(item.className) ||
      !!item.querySelector(".htmx-request");
  }

  function press(item, shortcut) {
    var target = item.querySelector('[data-shortcut="' + shortcut + '"]');
    if (!target || target.disabled) return false;
    target.click();
    return true;
  }

  function slideDirection(direction) {
    var page = document.querySelector(".review-page");
    if (page) page.setAttribute("data-direction", direction);
  }

  function openPicker(picker) {
    picker.open = true;
    var choice = picker.querySelector("input[name=reason]:checked") ||
      picker.querySelector("input[name=reason]") || picker.querySelector("textarea");
    if (choice) choice.focus();
  }

  function closePicker(picker) {
    picker.open = false;
    var summary = picker.querySelector("summary");
    if (summary) summary.focus();
  }

  // Inside the open reason picker: Enter sends, Escape cancels.
  function pickerKey(event, picker) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePicker(picker);
      return;
    }
    if (event.key !== "Enter" || event.isComposing) return;
    var el = event.target;
    var inForm = el.form && picker.contains(el.form);
    var field = el.tagName === "INPUT" || (el.tagName === "TEXTAREA" && !event.shiftKey);
    if (inForm && field) {
      event.preventDefault();
      el.form.requestSubmit();
    }
  }

  document.addEventListener("keydown", function (event) {
    var item = currentItem();
    if (!item) return;
    var picker = item.querySelector(".reason-picker");
    if (picker && picker.open) {
      if (picker.contains(event.target) || event.key === "Escape") pickerKey(event, picker);
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || busy(item)) return;
    var key = event.key.toLowerCase();
    if (key === "r" && picker) {
      event.preventDefault();
      openPicker(picker);
    } else if (key === "a" || key === "j" || key === "k") {
      slideDirection(key === "k" ? "back" : "forward");
      if (press(item, key)) event.preventDefault();
    }
  });

  // Slide the other way for "Previous"; the same way for everything else.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#review-item [rel]");
    if (link) slideDirection(link.getAttribute("rel") === "prev" ? "back" : "forward");
    var cancel = event.target.closest && event.target.closest("[data-picker-cancel]");
    if (cancel) closePicker(cancel.closest(".reason-picker"));
  });

  // Opening the picker with a tap or click also puts focus on the first reason.
  document.addEventListener("toggle", function (event) {
    var picker = event.target;
    if (picker.classList && picker.classList.contains("reason-picker") && picker.open) {
      if (!picker.contains(document.activeElement) ||
          document.activeElement.tagName === "SUMMARY") {
        openPicker(picker);
      }
    }
  }, true);

  // Things only JavaScript can do are hidden until it runs.
  function enhance(root) {
    root.querySelectorAll("[data-picker-cancel], [data-select-all]").forEach(function (el) {
      el.hidden = false;
    });
  }

  // After a new profile slides in: focus its name (or the reason, after an error),
  // and bring its top into view if the page was scrolled down to the buttons.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var item = currentItem();
    if (!item || !target || target.id !== "review-item") return;
    enhance(item);
    var picker = item.querySelector(".reason-picker[open]");
    if (picker) {
      var invalid = picker.querySelector("input[name=reason]:checked") ||
        picker.querySelector("textarea");
      if (invalid) invalid.focus();
      return;
    }
    var heading = item.querySelector("h2");
    if (heading) heading.focus({ preventScroll: true });
    if (item.getBoundingClientRect().top < 0) window.scrollTo(0, 0);
  });

  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });

  // The list: "Select all waiting" ticks every row's box.
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-select-all]");
    if (!all) return;
    var form = all.closest("form");
    form.querySelectorAll("input[name=ids]").forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
})();
