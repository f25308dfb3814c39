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

  const escape = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // a query word where a word starts ("rate" in "rates", not in "saturates")
  const pattern = words.length ? new RegExp(`\\b(${words.map(escape).join("|")})`, "gi") : null;

  const firstHit = (text) => {
    // the word itself, else its first five letters (Sphinx also finds "batches" for "batch")
    for (const p of [pattern, new RegExp(`\\b(${words.map((w) => escape(w.slice(0, 5))).join("|")})`, "i")]) {
      const found = words.length ? text.search(p) : -1;
      if (found >= 0) return found;
    }
    return 0;
  };

  const snippet = (text) => {
    const at = firstHit(text);
    const start = Math.max(0, at - CONTEXT), end = Math.min(text.length, at + 2 * CONTEXT);
    const p = document.createElement("p");
    p.className = "context";
    const shown = (start > 0 ? "…" : "") + text.slice(start, end).trim() + (end < text.length ? "…" : "");
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
    if (!link || item.dataset.snippet) return;
    item.dataset.snippet = "requested";  // an item can be reported twice (as a node and in a subtree)
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
