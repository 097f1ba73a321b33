// Progressive enhancement only: every page works without this file.
"use strict";

// Ctrl/Cmd+Enter in a text area submits its form.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target instanceof HTMLTextAreaElement) {
    const form = event.target.form;
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  }
});
