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

// Drafts while typing: the fields of a form marked `data-draft` are kept in localStorage under
// the form's key, put back when the page opens with them empty, and forgotten once a submission
// went through. A submission is known to have gone through when the page after it does not show
// that draft again: neither its form refilled by the server (a refusal) nor the login page
// carrying it (an ended session).
(function keepDrafts() {
  const SENT = "threadwise:sent";
  const forms = [...document.querySelectorAll("form[data-draft]")];
  const keyOf = (form) => `threadwise:draft:${form.dataset.draft}`;
  const fieldsOf = (form) => [...form.querySelectorAll("textarea[name=body], input[name=title], input[name=tags]")];
  const store = {
    get(key) {
      try {
        return JSON.parse(localStorage.getItem(key) || "{}") || {};
      } catch (_) {
        return {};
      }
    },
    set(key, draft) {
      try {
        if (Object.keys(draft).length) localStorage.setItem(key, JSON.stringify(draft));
        else localStorage.removeItem(key);
      } catch (_) {
        // Storage full or switched off: the form works without drafts.
      }
    },
    forget(key) {
      try {
        localStorage.removeItem(key);
      } catch (_) {}
    },
  };

  let sent = null;
  try {
    sent = sessionStorage.getItem(SENT);
    sessionStorage.removeItem(SENT);
  } catch (_) {}
  if (sent) {
    const refilled = forms.some((form) => keyOf(form) === sent && form.querySelector("[name=body]")?.value.trim());
    const carried = document.querySelector("input[name=draft_body]");
    if (!refilled && !carried) store.forget(sent);
  }

  for (const form of forms) {
    const key = keyOf(form);
    const fields = fieldsOf(form);
    const saved = store.get(key);
    for (const field of fields) {
      if (!field.value && typeof saved[field.name] === "string") field.value = saved[field.name];
    }
    const save = () => {
      const draft = {};
      for (const field of fields) if (field.value.trim()) draft[field.name] = field.value;
      store.set(key, draft);
    };
    let timer = null;
    form.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    });
    // Leaving the page within the pause still keeps the last keystrokes.
    window.addEventListener("pagehide", () => {
      if (timer !== null) save();
    });
    form.addEventListener("submit", (event) => {
      clearTimeout(timer);
      save();
      // A preview posts nothing: the draft stays.
      if (event.submitter && event.submitter.hasAttribute("data-preview")) return;
      try {
        sessionStorage.setItem(SENT, key);
      } catch (_) {}
    });
  }
})();

// Markdown preview: the forms' Preview button asks the server (the renderer posts use) and shows
// the HTML above the form. Without JavaScript, or when the request fails, the button submits the
// form to its preview address, which renders the same preview on the server.
(function preview() {
  const box = document.getElementById("preview");
  if (!box) return;
  const target = box.querySelector(".body");
  for (const button of document.querySelectorAll("button[data-preview]")) {
    const form = button.form;
    if (!form || !target) continue;
    button.addEventListener("click", async (event) => {
      event.preventDefault();
      const body = form.querySelector("[name=body]").value;
      const token = form.querySelector("[name=csrf_token]").value;
      let response;
      try {
        response = await fetch("/api/v1/preview", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
          body: JSON.stringify({ body }),
        });
      } catch (_) {
        form.requestSubmit(button);
        return;
      }
      if (response.ok) {
        // The server's renderer sanitises this HTML exactly as it does a post's.
        target.innerHTML = (await response.json()).html;
      } else {
        const error = (await response.json().catch(() => null))?.error;
        const fields = Object.values(error?.fields || {});
        target.textContent = fields.length ? fields.join("; ") : error?.message || `The preview failed (${response.status}).`;
      }
      box.hidden = false;
    });
  }
})();
