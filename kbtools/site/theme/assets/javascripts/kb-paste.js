/* "Paste an error": a box on every page (a header button opens it; the home page shows it in
 * place) that answers a pasted error, one line or a whole log, as `kb search` does (kb-search.js).
 * Material's own search box stays for titles and prose. */
(function () {
  "use strict";

  const LABELS = {
    zh: {
      open: "粘贴报错", title: "粘贴报错，查找原因和解决方法",
      hint: "把报错原文粘贴到这里：一行，或整段日志、堆栈都可以。",
      placeholder: "例如：nginx: [emerg] unknown directive \"real_ip_header\" in /usr/local/kong/nginx-kong.conf:73",
      search: "查找", close: "关闭", loading: "正在载入搜索数据……",
      confident: "确定匹配", possible: "可能相关", fix: "解决",
      none: "没有匹配的条目；换几个词试试。",
      unsure: "没有把握的匹配；下面只是可能相关的条目。",
      failed: "搜索数据载入失败：",
    },
    en: {
      open: "Paste an error", title: "Paste an error, find the cause and the fix",
      hint: "Paste the error as printed: one line, or a whole log or stack trace.",
      placeholder: "e.g. nginx: [emerg] unknown directive \"real_ip_header\" in /usr/local/kong/nginx-kong.conf:73",
      search: "Search", close: "Close", loading: "Loading the search data…",
      confident: "confident match", possible: "possible match", fix: "Fix",
      none: "No match; try fewer or other words.",
      unsure: "No confident match; the closest entries below are only possible matches.",
      failed: "The search data did not load: ",
    },
  };
  const POSSIBLE_SHOWN = 3;  // as kbtools/cli/search.py shows without a confident result
  const LIMIT = 5;

  const script = document.currentScript;
  // This script sits at <site root>/assets/javascripts/; the data once at <site root>/search/.
  const dataUrl = new URL("../../search/kb-errors.json", script.src).href;
  const siteRoot = new URL("../../", script.src).href;

  function lang() {
    const code = (document.documentElement.lang || "zh").slice(0, 2);
    return LABELS[code] ? code : "en";
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function highlighted(line, spans) {
    const code = el("code", { class: "kb-paste__line" });
    let at = 0;
    for (const [start, end] of spans) {
      code.append(line.slice(at, start), el("mark", {}, line.slice(start, end)));
      at = end;
    }
    code.append(line.slice(at));
    return code;
  }

  function render(list, status, hits, code) {
    const t = LABELS[code];
    list.replaceChildren();
    const found = hits.some((hit) => hit.confident);
    const shown = found ? hits.filter((hit) => hit.confident) : hits.slice(0, POSSIBLE_SHOWN);
    status.textContent = found ? "" : shown.length ? t.unsure : t.none;
    status.hidden = found;
    for (const hit of shown) {
      const entry = hit.entry;
      const href = new URL(entry.url[code] || entry.url.zh, siteRoot).href;
      const tier = el("span", { class: `kb-paste__tier kb-paste__tier--${hit.confident ? "confident" : "possible"}` },
        hit.confident ? t.confident : t.possible);
      list.append(el("li", { class: "kb-paste__hit", "data-id": entry.id },
        el("a", { class: "kb-paste__title", href, lang: code }, entry.title[code] || entry.title.en),
        tier,
        highlighted(hit.symptom, hit.spans),
        el("p", { class: "kb-paste__fix" }, el("strong", {}, `${t.fix}: `), entry.fix[code] || entry.fix.en)));
    }
  }

  function panel(id, inline) {
    const code = lang();
    const t = LABELS[code];
    const box = el("textarea", { class: "kb-paste__box", rows: inline ? "4" : "6", spellcheck: "false",
      placeholder: t.placeholder, "aria-label": t.title, id: `${id}-box` });
    const button = el("button", { class: "md-button md-button--primary kb-paste__go", type: "button" }, t.search);
    const status = el("p", { class: "kb-paste__status", role: "status", "aria-live": "polite" });
    status.hidden = true;
    const list = el("ol", { class: "kb-paste__results" });
    const root = el("section", { class: `kb-paste md-typeset${inline ? " kb-paste--inline" : ""}`, id, lang: code },
      el("label", { class: "kb-paste__label", for: `${id}-box` }, el("strong", {}, t.title), el("br"), t.hint),
      box, el("div", { class: "kb-paste__actions" }, button), status, list);
    let last = null;
    const run = () => {
      const text = box.value;
      if (!text.trim()) {
        list.replaceChildren();
        status.hidden = true;
        root.removeAttribute("data-state");
        return;
      }
      last = text;
      root.setAttribute("data-state", "loading");
      status.hidden = false;
      status.textContent = t.loading;
      window.kbSearch.load(dataUrl).then((engine) => {
        if (text !== last) return;
        render(list, status, engine.search(text, LIMIT), code);
        root.setAttribute("data-state", "done");
      }, (error) => {
        status.textContent = t.failed + error.message;
        root.setAttribute("data-state", "failed");
      });
    };
    box.addEventListener("paste", () => setTimeout(run, 0));
    let timer = 0;
    box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
      event.stopPropagation();  // Material's keyboard shortcuts (s, /, f) must not steal the typing
    });
    button.addEventListener("click", run);
    // Start loading the data as soon as someone is about to paste, not with every page.
    box.addEventListener("focus", () => window.kbSearch.load(dataUrl).catch(() => {}), { once: true });
    return { root, box };
  }

  function setup() {
    const code = lang();
    const t = LABELS[code];
    const home = document.querySelector(".kb-paste-home");
    if (home) home.replaceWith(panel("kb-paste-home", true).root);
    const dialog = el("dialog", { class: "kb-paste-dialog", "aria-label": t.title });
    const inner = panel("kb-paste-dialog", false);
    const close = el("button", { class: "kb-paste-dialog__close md-icon", type: "button", "aria-label": t.close,
      title: t.close }, "×");
    close.addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
    dialog.append(close, inner.root);
    document.body.append(dialog);
    const open = el("button", { class: "kb-paste-open md-header__button", type: "button", title: t.title,
      "aria-haspopup": "dialog" }, t.open);
    open.addEventListener("click", () => { dialog.showModal(); inner.box.focus(); });
    const header = document.querySelector(".md-header__inner");
    const search = header && header.querySelector(".md-search");
    if (search) header.insertBefore(open, search);
    else if (header) header.append(open);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
