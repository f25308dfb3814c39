// The chapters' explorers (nnlab.explorer) for readers who use a screen reader or the keyboard.
// The widget manager draws their controls without accessible names and states; whenever it draws
// or switches something, this gives
// - each slider the name of its label ("learning rate") and its value as text ("0.1", where the
//   slider itself says "2", the position),
// - each row of toggle buttons a group named by its label, and each button aria-pressed,
// - each frame an alt text: the tooltip nnlab.explorer gives it (what it shows, its settings).
(() => {
  const WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
  let counter = 0;

  function set(element, name, value) {
    if (element && element.getAttribute(name) !== value) element.setAttribute(name, value);
  }

  function labelId(control) {
    const label = control.querySelector(":scope > label.widget-label");
    if (!label) return null;
    if (!label.id) label.id = `explorer-label-${++counter}`;
    return label.id;
  }

  function describe(output) {
    for (const slider of output.querySelectorAll(".widget-slider")) {
      const handle = slider.querySelector('[role="slider"]'), readout = slider.querySelector(".widget-readout");
      const id = labelId(slider);
      if (id) set(handle, "aria-labelledby", id);
      if (readout) set(handle, "aria-valuetext", readout.textContent.trim());
    }
    for (const toggles of output.querySelectorAll(".widget-toggle-buttons")) {
      const group = toggles.querySelector(":scope > div") || toggles;
      const id = labelId(toggles);
      set(group, "role", "group");
      if (id) set(group, "aria-labelledby", id);
      for (const button of toggles.querySelectorAll("button.widget-toggle-button")) {
        set(button, "aria-pressed", String(button.classList.contains("mod-active")));
      }
    }
    for (const image of output.querySelectorAll("img.widget-image")) {
      if (image.title) set(image, "alt", image.title);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const output of document.querySelectorAll(".cell_output")) {
      if (!output.querySelector(WIDGET_VIEW)) continue;
      const observer = new MutationObserver(() => describe(output));
      observer.observe(output, {
        subtree: true, childList: true, characterData: true, attributes: true,
        attributeFilter: ["class", "title", "aria-valuenow"],
      });
      describe(output);
    }
  });
})();
