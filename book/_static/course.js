// Display formulas a little wider than the text column are shrunk to fit (down to 75 % of their
// size); wider ones keep their size and scroll (course.css). Run once MathJax has typeset the page,
// and again when the window changes size.
(() => {
  const SMALLEST = 0.75;

  function fitDisplayMath() {
    for (const math of document.querySelectorAll('mjx-container[display="true"]')) {
      if (math.dataset.fontSize === undefined) math.dataset.fontSize = math.style.fontSize || "100%";
      const size = parseFloat(math.dataset.fontSize);
      math.style.fontSize = `${size}%`;
      const ratio = math.clientWidth / math.scrollWidth;
      if (ratio < 1) math.style.fontSize = `${size * Math.max(ratio, SMALLEST)}%`;
    }
  }

  window.addEventListener("load", () => {
    const startup = window.MathJax && window.MathJax.startup;
    if (startup && startup.promise) startup.promise.then(fitDisplayMath);
  });
  let pending;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(fitDisplayMath, 100);
  });
})();
