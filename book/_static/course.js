// Formulas wider than the text column (a phone's, mostly), once MathJax has typeset the page and
// again when the window changes size:
// 1. an aligned block with a notes column (`a &= b && \text{note}`) puts each note under its
//    equation (class notes-below, course.css);
// 2. a formula still a little too wide is shrunk to fit, down to 75 % of its size;
// 3. one that still does not fit (class too-wide) scrolls inside its own box, and `data-more`
//    ("left", "right" or "both") says on which side there is more of it: course.css fades that
//    edge out.
(() => {
  const SMALLEST = 0.75;

  // The box that scrolls: a display formula's container, or an inline formula's span.
  const scrollBox = (math) => (math.getAttribute("display") === "true" ? math : math.parentElement);

  // Wider than the column? An inline formula's span is as wide as the formula (an italic letter may
  // overhang it by a pixel) until it reaches the width of its paragraph.
  function tooWide(math, box) {
    if (box.scrollWidth <= box.clientWidth + 1) return false;
    return box === math || box.clientWidth >= box.parentElement.clientWidth - 1;
  }

  function markScroll(box) {
    const left = box.scrollLeft > 1, right = box.scrollLeft + box.clientWidth < box.scrollWidth - 1;
    const more = left && right ? "both" : left ? "left" : right ? "right" : null;
    if (more === null) delete box.dataset.more;
    else if (box.dataset.more !== more) box.dataset.more = more;
  }

  // The rows of an aligned block with a notes column: every row has four cells, the third empty.
  function notesTable(math) {
    const isNotes = (row) => row.tagName === "MJX-MTR" && row.children.length === 4
      && [...row.children[2].children].every((part) => part.tagName === "MJX-TSTRUT");
    const tables = [...math.querySelectorAll("mjx-itable")];
    return tables.find((table) => table.children.length && [...table.children].every(isNotes)) || null;
  }

  function fit(math) {
    const box = scrollBox(math);
    if (math.dataset.fontSize === undefined) math.dataset.fontSize = math.style.fontSize || "100%";
    const size = parseFloat(math.dataset.fontSize);
    math.style.fontSize = `${size}%`;
    math.classList.remove("notes-below");
    box.classList.remove("too-wide");
    delete box.dataset.more;
    if (!tooWide(math, box)) return;
    const notes = notesTable(math);
    if (notes) {
      notes.classList.add("notes-grid");
      math.classList.add("notes-below");
    }
    const ratio = box.clientWidth / box.scrollWidth;
    if (ratio < 1) math.style.fontSize = `${size * Math.max(ratio, SMALLEST)}%`;
    if (!tooWide(math, box)) return;
    box.classList.add("too-wide");
    markScroll(box);
  }

  function fitAll() {
    for (const math of document.querySelectorAll('mjx-container[display="true"], span.math > mjx-container')) fit(math);
  }

  window.addEventListener("load", () => {
    const startup = window.MathJax && window.MathJax.startup;
    if (startup && startup.promise) startup.promise.then(fitAll);
  });
  document.addEventListener("scroll", (event) => {
    const box = event.target;
    if (box instanceof Element && box.classList.contains("too-wide")) markScroll(box);
  }, true);
  let pending;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(fitAll, 100);
  });
})();
