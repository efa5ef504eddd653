// Small progressive enhancements; every page works without them.
// A submit button marked data-once is disabled after the first click, so a double click sends
// one form (the server also refuses duplicates).
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-once]");
  if (button) {
    window.setTimeout(() => { button.disabled = true; }, 0);
  }
});
