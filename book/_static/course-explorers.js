// The chapters' explorers (nnlab.explorer), as book/_ext/static_explorers.py writes them: a row of
// controls (a range input per numeric setting, a group of toggle buttons per named one), the
// figure of the first setting and the list of every frame (URL, alt text, size), in row-major
// order over the controls. A control's change shows the frame of the settings chosen: the browser
// fetches that frame then, not before. Screen readers get the slider's value as the label it
// stands for (aria-valuetext), each button's state (aria-pressed) and the frame's alt text.
(() => {
  function wire(explorer) {
    const frames = JSON.parse(explorer.querySelector("script.explorer-frames").textContent);
    const shape = explorer.dataset.shape.split(" ").map(Number);
    const image = explorer.querySelector("img.explorer-frame");
    const chosen = shape.map(() => 0);

    function show() {
      const index = chosen.reduce((flat, at, d) => flat * shape[d] + at, 0);
      const [url, alt, width, height] = frames[index];
      image.src = url;
      image.alt = alt;
      image.width = width;
      image.height = height;
    }

    for (const slider of explorer.querySelectorAll('input[type="range"][data-control]')) {
      const labels = JSON.parse(slider.dataset.labels), readout = slider.parentElement.querySelector("output");
      slider.addEventListener("input", () => {
        chosen[Number(slider.dataset.control)] = Number(slider.value);
        const label = labels[Number(slider.value)];
        slider.setAttribute("aria-valuetext", label);
        readout.textContent = label;
        show();
      });
    }
    for (const group of explorer.querySelectorAll(".explorer-toggles[data-control]")) {
      group.addEventListener("click", (event) => {
        const button = event.target instanceof Element && event.target.closest("button");
        if (!button) return;
        chosen[Number(group.dataset.control)] = Number(button.value);
        for (const other of group.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
        show();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll(".course-explorer").forEach(wire));
})();
