/* Haven's own script: behaviour that markup cannot carry, because the Content-Security-Policy
 * allows no inline script and no on* attribute (docs/decisions/0015-uploads-and-content-security-policy.md).
 * Every page works without it; it only adds conveniences. */
"use strict";

// A button marked data-print prints the page (the printed forms, a case's timeline).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});

// A file field shows the name of the file chosen in the page's words (templates/includes/field.html).
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const shown = input.closest(".file-pick")?.querySelector("[data-file-name]");
  if (shown && input.files.length) {
    shown.textContent = Array.from(input.files, (file) => file.name).join(", ");
  }
});
