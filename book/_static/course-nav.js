// The header buttons a reader uses, made to do what they show.
// - Sidebars: the theme binds its ☰ and contents handlers to the first .primary-toggle and
//   .secondary-toggle of the page, which sit in a header hidden at every width
//   (pydata-sphinx-theme #2451, sphinx-book-theme #988); the visible buttons in the article header
//   did nothing. A click on a visible one is passed on to that first button: below 992 px its
//   handler opens the sidebar as a dialog, from 992 px on sphinx-book-theme's collapses or expands
//   the primary sidebar.
// - Colour mode: one click switches between light and dark (the theme cycled light → auto → dark),
//   and the button says so: "Dark mode", pressed or not.
// - A chapter with sections has a toggle (a <summary> holding only an icon) that shows or hides
//   them; it is named by what it does: "Sections of <the chapter's title>".
// - Search buttons are named by what they show ("Search Ctrl+K"), with the shortcut announced as
//   one; the theme's aria-label "Search" left out the visible shortcut.
(() => {
  const BOUND = { primary: ".primary-toggle", secondary: ".secondary-toggle" };

  function forwardSidebarToggles() {
    for (const [side, selector] of Object.entries(BOUND)) {
      const [bound, ...visible] = document.querySelectorAll(selector);
      const sidebar = document.getElementById(`pst-${side}-sidebar`);
      for (const button of visible) {
        button.setAttribute("aria-controls", sidebar ? sidebar.id : "");
        button.addEventListener("click", (event) => {
          event.preventDefault();
          bound.click();
          if (side === "primary" && sidebar) {
            button.setAttribute("aria-expanded", String(!sidebar.classList.contains("pst-sidebar-hidden")));
          }
        });
      }
    }
  }

  function setColourMode(mode) {
    const root = document.documentElement;
    root.dataset.mode = mode;
    root.dataset.theme = mode;
    localStorage.setItem("mode", mode);
    localStorage.setItem("theme", mode);
    for (const menu of document.querySelectorAll(".dropdown-menu")) menu.classList.toggle("dropdown-menu-dark", mode === "dark");
    labelColourButtons();
  }

  function labelColourButtons() {
    const dark = document.documentElement.dataset.theme === "dark";
    for (const button of document.querySelectorAll(".theme-switch-button")) {
      button.setAttribute("aria-label", "Dark mode");
      button.setAttribute("aria-pressed", String(dark));
      // The icons' titles ("Light", "Dark", "System Settings"; Font Awesome makes them <title>s of
      // its SVGs) would be read as the button's visible text, not matching its name: the icons
      // are decoration, the button has the name.
      for (const icon of button.querySelectorAll(".theme-switch")) {
        icon.removeAttribute("title");
        icon.removeAttribute("aria-labelledby");
        icon.setAttribute("aria-hidden", "true");
        for (const title of icon.querySelectorAll("title")) title.remove();
      }
    }
  }

  // Capture on the document runs before the theme's own handler on the button, which it stops.
  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element) || !event.target.closest(".theme-switch-button")) return;
    event.stopImmediatePropagation();
    setColourMode(document.documentElement.dataset.theme === "dark" ? "light" : "dark");
  }, true);

  function nameSearchButtons() {
    for (const button of document.querySelectorAll(".search-button__button")) {
      if (button.querySelector(".search-button__kbd-shortcut")) button.removeAttribute("aria-label");
      button.setAttribute("aria-keyshortcuts", "Control+K Meta+K");
    }
  }

  function nameSectionToggles() {
    for (const summary of document.querySelectorAll("li.has-children > details > summary")) {
      const link = summary.closest("li").querySelector(":scope > a");
      if (link) summary.setAttribute("aria-label", `Sections of ${link.textContent.trim()}`);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    forwardSidebarToggles();
    nameSectionToggles();
    labelColourButtons();
    nameSearchButtons();
  });
})();
