// Keyboard for the review pages (hand-written: no htmx copy could be vendored offline).
// Queue: j/k move the selection, Enter opens it, c confirms the largest group (after a prompt). Answer: digits
// toggle key points and the points follow, letters a-i put a saved comment in the comment field, Enter saves and moves on (not an answer that needs attention: its Save
// button only), s skips, j/k next/previous.
(function () {
  "use strict";
  function typing(event) {
    var tag = event.target.tagName;
    return tag === "TEXTAREA" || (tag === "INPUT" && event.target.type === "text") || tag === "SELECT";
  }
  function recompute() {
    var boxes = document.querySelectorAll("input.key-point");
    if (!boxes.length) return;
    var total = 0;
    boxes.forEach(function (box) { if (box.checked) total += parseFloat(box.dataset.points); });
    document.getElementById("points").value = String(Math.round(total * 100) / 100);
  }
  function queueKeys(event, rows) {
    var current = document.querySelector("tr.item.selected");
    var index = Array.prototype.indexOf.call(rows, current);
    if ((event.key === "j" || event.key === "k") && rows.length) {
      if (current) current.classList.remove("selected");
      index = event.key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
      rows[index].classList.add("selected");
      rows[index].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter" && current) {
      window.location = current.querySelector("a").href;
    } else if (event.key === "c" && document.querySelector("form.accept-group")) {
      var group = document.querySelector("form.accept-group");
      if (window.confirm("Confirm the " + group.dataset.size + " confident suggestion(s) of the largest group?")) {
        group.requestSubmit();
      }
    } else {
      return;
    }
    event.preventDefault();
  }
  function useComment(button) {
    var field = document.getElementById("comment");
    field.value = button.dataset.text;
    field.classList.add("filled");
  }
  function answerKeys(event, form) {
    var saved = /^[a-i]$/.test(event.key) && document.querySelector('button.use-comment[data-key="' + event.key + '"]');
    if (saved) {
      useComment(saved);
    } else if (/^[1-9]$/.test(event.key)) {
      var box = document.querySelectorAll("input.key-point")[parseInt(event.key, 10) - 1];
      if (!box) return;
      box.checked = !box.checked;
      recompute();
    } else if (event.key === "Enter") {
      if (form.dataset.attention) {  // saved only by its Save button, after reading it
        var hint = document.getElementById("explicit-hint");
        if (hint) hint.classList.add("notice");
      } else {
        form.requestSubmit(document.getElementById("confirm"));
      }
    } else if (event.key === "s" || event.key === "j") {
      window.location = document.getElementById("skip").href;
    } else if (event.key === "k") {
      window.history.back();
    } else {
      return;
    }
    event.preventDefault();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.key-point").forEach(function (box) {
      box.addEventListener("change", recompute);
    });
    document.querySelectorAll("button.use-comment").forEach(function (button) {
      button.addEventListener("click", function () { useComment(button); });
    });
    var form = document.getElementById("decide");
    var rows = document.querySelectorAll("tr.item");
    document.addEventListener("keydown", function (event) {
      if (typing(event) && event.key !== "Enter") return;
      if (event.target.tagName === "TEXTAREA") return;
      if (form) answerKeys(event, form);
      else if (rows.length || document.querySelector("form.accept-group")) queueKeys(event, rows);
    });
  });
})();
