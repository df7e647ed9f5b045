/* Make scrollable notebook code and output reachable by keyboard (WCAG 2.1.1).
   Runs on every page view (and would after instant navigation, which is off). */
function aigFocusableScrollers() {
  document.querySelectorAll(".jupyter-wrapper .highlight-ipynb, .jupyter-wrapper .jp-OutputArea-output pre")
    .forEach(function (el) {
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
}
if (typeof document$ !== "undefined") {
  document$.subscribe(aigFocusableScrollers);
} else {
  document.addEventListener("DOMContentLoaded", aigFocusableScrollers);
}
