// Anchang: page behaviour without inline scripts (the CSP forbids them).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const target = document.getElementById(button.dataset.copy);
  if (target && navigator.clipboard) navigator.clipboard.writeText(target.textContent.trim());
});
// A block that belongs to one kind of registration (the first-visit profile) opens when that
// kind is chosen and closes for the others, so a visit never starts with its required
// fields hidden.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!input.form || input.name !== "kind") return;
  input.form.querySelectorAll("details[data-open-when-kind]").forEach((block) => {
    block.open = block.dataset.openWhenKind === input.value;
  });
});

// Review queue: a common comment (主管批示) fills the record's comment box in one tap;
// the manager may still edit it before posting.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-preset-for]");
  if (!button) return;
  const box = document.getElementById(button.dataset.presetFor);
  if (!box) return;
  const text = button.dataset.preset;
  box.value = box.value.trim() ? `${box.value.trim()}\n${text}` : text;
  box.focus();
});

// A list's "all" box ticks or clears every box of its name in the same form (assignment).
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all || !all.form) return;
  all.form.querySelectorAll(`input[type=checkbox][name="${all.dataset.checkAll}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});
