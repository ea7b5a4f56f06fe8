// Copy buttons of blurbs: copy the blurb and the page link, then mark the button.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("button.pd-copy") : null;
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
    button.setAttribute("data-copied", "");
    setTimeout(function () { button.removeAttribute("data-copied"); }, 2000);
  });
});
