// Keyboard shortcuts of the item page: a accept, r reject, e edit, j next, k previous.
(function () {
  function showEdit() {
    var box = document.getElementById("edit");
    if (!box) return false;
    box.hidden = false;
    var first = document.getElementById("new_type");
    if (first) first.focus();
    return true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var btn = document.getElementById("show-edit");
    if (btn) btn.addEventListener("click", showEdit);
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      if (e.key === "Escape") t.blur();  // leave a field, then the letter keys work again
      return;
    }
    var ids = {a: "do-accept", r: "do-reject", j: "next", k: "prev"};
    if (e.key === "e") {
      if (showEdit()) e.preventDefault();
      return;
    }
    var el = ids[e.key] && document.getElementById(ids[e.key]);
    if (el) {
      e.preventDefault();
      el.click();
    }
  });
})();
