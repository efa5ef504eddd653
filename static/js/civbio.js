// Small progressive enhancements; every page works without them.
// A submit button marked data-once is disabled after the first click, so a double click sends
// one form (the server also refuses duplicates).
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-once]");
  if (button) {
    window.setTimeout(() => { button.disabled = true; }, 0);
  }
});

// A "copy" button (data-copy names the input it copies) sits in a hidden wrapper and shows only
// where copying works; without it the address stays selectable in its field.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const wrapper = button.closest("[hidden]");
  if (navigator.clipboard && wrapper) {
    wrapper.hidden = false;
  }
  button.addEventListener("click", () => {
    const input = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(input.value).then(() => {
      button.textContent = button.dataset.copied;
    });
  });
});
