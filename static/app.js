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

// Tag suggestions while composing: ask the model (debounced) and offer its tags as buttons that
// add themselves to the tags field.
(function suggestTags() {
  const form = document.getElementById("compose");
  const box = document.getElementById("tag-suggestions");
  if (!form || !box) return;
  const title = form.querySelector("[name=title]");
  const body = form.querySelector("[name=body]");
  const tags = form.querySelector("[name=tags]");
  let timer = null;
  let lastAsked = "";

  const currentTags = () => tags.value.split(/[,\s]+/).filter(Boolean).map((t) => t.toLowerCase());

  function render(suggested) {
    box.replaceChildren();
    const have = currentTags();
    for (const tag of suggested) {
      if (have.includes(tag.name)) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `${tag.name} (${Math.round(tag.confidence * 100)}%)`;
      button.title = "suggested by the model: click to add";
      button.addEventListener("click", () => {
        tags.value = [...currentTags(), tag.name].join(", ");
        button.remove();
      });
      box.append(button);
    }
  }

  async function ask() {
    const draft = JSON.stringify({ title: title.value, body: body.value });
    if (draft === lastAsked || (title.value + body.value).trim().length < 12) return;
    lastAsked = draft;
    try {
      const response = await fetch("/api/v1/tags/suggest", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: draft,
      });
      if (response.ok) render((await response.json()).tags);
    } catch (_) {
      // Suggestions are a convenience: the form works without them.
    }
  }

  for (const field of [title, body]) {
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, 400);
    });
  }
})();
