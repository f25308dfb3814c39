/* Snippets under the search results, from the small text file of each hit (_search/<page>.js,
 * written at build time by book/_ext/light_pages.py: the page's prose, formulas as plain text),
 * instead of Sphinx's fetch of every hit's whole HTML page. Loaded on the search page only.
 * The files are scripts, so this also works with the site opened as file://. */
(() => {
  "use strict";
  const CONTEXT = 110;  // characters of text on each side of the first word found
  const root = document.documentElement.dataset.content_root || "";
  const words = (new URLSearchParams(window.location.search).get("q") || "")
    .toLowerCase().split(/\s+/).filter(Boolean);
  const texts = {}, waiting = {};

  const firstHit = (lower) => {
    // the word itself, else its first five letters (Sphinx also finds "batches" for "batch")
    const at = words.flatMap((w) => [lower.indexOf(w), lower.indexOf(w.slice(0, 5))])
      .filter((i) => i >= 0);
    return at.length ? Math.min(...at) : 0;
  };

  const snippet = (text) => {
    const at = firstHit(text.toLowerCase());
    const start = Math.max(0, at - CONTEXT), end = Math.min(text.length, at + 2 * CONTEXT);
    const p = document.createElement("p");
    p.className = "context";
    const shown = (start > 0 ? "…" : "") + text.slice(start, end).trim() + (end < text.length ? "…" : "");
    const pattern = words.length ? new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "gi") : null;
    for (const part of pattern ? shown.split(pattern) : [shown]) {
      if (pattern && words.includes(part.toLowerCase())) {
        const mark = p.appendChild(document.createElement("span"));
        mark.className = "highlighted";
        mark.textContent = part;
      } else {
        p.appendChild(document.createTextNode(part));
      }
    }
    return p;
  };

  window.courseSnippets = {
    add(page, text) {
      texts[page] = text;
      (waiting[page] || []).forEach((item) => item.appendChild(snippet(text)));
      delete waiting[page];
    },
  };

  const load = (item) => {
    const link = item.querySelector("a[href]");
    if (!link || item.querySelector("p.context")) return;
    const page = link.getAttribute("href").split("#")[0].replace(/\.html$/, "");
    if (page in texts) return void item.appendChild(snippet(texts[page]));
    if (!waiting[page]) {
      waiting[page] = [];
      const script = document.createElement("script");
      script.src = `${root}_search/${page}.js`;
      document.head.appendChild(script);
    }
    waiting[page].push(item);
  };

  const start = () => {
    const results = document.getElementById("search-results");
    if (!results) return;
    new MutationObserver((changes) => changes.forEach((change) => change.addedNodes.forEach((node) => {
      if (node.nodeName === "LI") load(node);
      else if (node.querySelectorAll) node.querySelectorAll("li").forEach(load);
    }))).observe(results, {childList: true, subtree: true});
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
