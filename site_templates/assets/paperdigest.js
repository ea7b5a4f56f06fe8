// Copy buttons of blurbs: copy the blurb and the page link, then mark the button.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("button.pd-copy") : null;
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
    button.setAttribute("data-copied", "");
    setTimeout(function () { button.removeAttribute("data-copied"); }, 2000);
  });
});

// Sortable tables (author index): a button in each header sorts by that column; numbers
// sort numerically, names by the reader's locale. Without JavaScript the table is A–Z.
function pdMakeSortable(table) {
  var headers = table.tHead ? table.tHead.rows[0].cells : [];
  Array.prototype.forEach.call(headers, function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pd-sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(headers, function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
        var nx = parseFloat(x.replace(/,/g, "")), ny = parseFloat(y.replace(/,/g, ""));
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "ja");
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
}
document.querySelectorAll(".pd-sortable table").forEach(pdMakeSortable);
