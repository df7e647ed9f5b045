/* Figures (aiguide.render): Escape dismisses the tip shown on hover or focus, as WCAG
 * 1.4.13 asks; moving the pointer or focus away brings tips back. Everything else in the
 * figures is CSS. Listeners sit on document, so they keep working after Material's
 * instant navigation swaps the page content. */
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const row of document.querySelectorAll(".aig-hover:hover, .aig-hover:focus-within")) {
    row.classList.add("aig-tips-off");
  }
});

function restoreTips(event) {
  const row = event.target instanceof Element && event.target.closest(".aig-tips-off");
  if (row && !row.contains(event.relatedTarget)) row.classList.remove("aig-tips-off");
}
document.addEventListener("focusout", restoreTips);
document.addEventListener("pointerout", restoreTips);
