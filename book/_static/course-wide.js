// Figures and tables wider than a phone's text column.
// - Every figure is a link to the image itself: a click or tap opens it at its own size in a
//   dialog over the page (a multi-panel plot shrunk to a phone's width becomes readable), where it
//   scrolls both ways and the browser's zoom works; Escape, the close button or a tap beside it
//   goes back to the same place in the text. Without this script the link opens the image alone.
//   An explorer's frame (replaced at every switch, so not wrapped in a link) opens the same way.
// - A table of the text with three or more columns gets each cell's column name (data-label): on a
//   phone course.css shows its rows stacked, each cell under that name. Tables printed by code
//   (numbers in columns) keep their columns and scroll.
(() => {
  function fullSizeDialog() {
    const dialog = document.createElement("dialog");
    dialog.className = "figure-full";
    dialog.setAttribute("aria-label", "Figure at full size");
    const close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.textContent = "×";
    close.addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
    dialog.append(close, document.createElement("img"));
    document.body.append(dialog);
    return dialog;
  }

  function openFullSize(img) {
    const dialog = document.querySelector("dialog.figure-full") || fullSizeDialog();
    const copy = dialog.querySelector("img");
    copy.src = img.currentSrc || img.src;
    copy.alt = img.alt;
    copy.width = img.naturalWidth;
    dialog.showModal();
    dialog.scrollTo(0, 0);
  }

  function linkFigures() {
    for (const img of document.querySelectorAll(".bd-article img:not(.explorer-frame)")) {
      if (img.closest("a")) continue;
      const link = document.createElement("a");
      link.className = "figure-open";
      link.href = img.src;
      link.title = "Open the figure full size";
      img.replaceWith(link);
      link.append(img);
    }
  }

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    const link = event.target.closest("a.figure-open");
    const img = link ? link.querySelector("img") : event.target.closest(".bd-article img.explorer-frame");
    if (!img) return;
    event.preventDefault();
    openFullSize(img);
  });

  function labelTableCells() {
    for (const table of document.querySelectorAll(".bd-article table:not(.cell_output table)")) {
      const names = [...table.querySelectorAll(":scope > thead > tr:last-child > th")].map((th) => th.textContent.trim());
      if (names.length < 3) continue;
      table.classList.add("stack-on-phone");
      for (const row of table.querySelectorAll(":scope > tbody > tr")) {
        [...row.children].forEach((cell, i) => {
          if (names[i]) cell.dataset.label = names[i];
          if (!cell.textContent.trim() && !cell.querySelector("img")) cell.dataset.empty = "";
        });
      }
    }
  }

  document.addEventListener("DOMContentLoaded", labelTableCells);
  document.addEventListener("DOMContentLoaded", linkFigures);
})();
