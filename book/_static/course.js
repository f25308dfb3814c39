// Formulas wider than the text column (a phone's, mostly), once MathJax has typeset the page and
// again when the window changes size:
// 1. an aligned block with a notes column (`a &= b && \text{note}`) puts each note under its
//    equation (class notes-below, course.css);
// 2. a formula still a little too wide is shrunk to fit, down to 75 % of its size;
// 3. one that still does not fit (class too-wide) scrolls inside its own box, and `data-more`
//    ("left", "right" or "both") says on which side there is more of it: course.css fades that
//    edge out, and it takes the keyboard focus, so that it can be scrolled with the arrow keys.
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

  // A box that scrolls is scrolled with the keyboard too: it takes the focus (its MathML, hidden
  // for screen readers beside the drawing, is what they read of it).
  function keyboardScroll(box) {
    if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
    else box.removeAttribute("tabindex");
  }

  function fitAll() {
    for (const math of document.querySelectorAll('mjx-container[display="true"], span.math > mjx-container')) {
      fit(math);
      keyboardScroll(scrollBox(math));
    }
  }

  // MathJax's components load and typeset after the page itself: wait for its start-up (or give
  // up after 30 s: a page without formulas), then for its first pass; fit again once the page's
  // fonts are in and whenever the text column changes width (window resized, sidebar collapsed).
  let pending;
  const later = () => { clearTimeout(pending); pending = setTimeout(fitAll, 100); };
  function whenTypeset(tries = 300) {
    const startup = window.MathJax && window.MathJax.startup;
    if (!(startup && startup.promise)) {
      if (tries > 0 && document.querySelector(".math")) setTimeout(() => whenTypeset(tries - 1), 100);
      return;
    }
    startup.promise.then(() => {
      fitAll();
      document.fonts.ready.then(fitAll);
      const column = document.querySelector(".bd-article");
      if (column) new ResizeObserver(later).observe(column);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => whenTypeset());
  else whenTypeset();
  document.addEventListener("scroll", (event) => {
    const box = event.target;
    if (box instanceof Element && box.classList.contains("too-wide")) markScroll(box);
  }, true);
})();
