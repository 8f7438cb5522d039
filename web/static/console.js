// Keyboard shortcuts for the guided session: each button with data-key answers to its key
// (1-9 options, y/n, u unknown, b back, w why, h how, e escalate). Nothing else runs here.
document.addEventListener("keydown", function (event) {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
  const button = document.querySelector('[data-key="' + CSS.escape(event.key.toLowerCase()) + '"]');
  if (!button) return;
  event.preventDefault();
  if (button.tagName === "TEXTAREA" || button.tagName === "INPUT") button.focus();
  else button.click();
});
