// debrief: progressive enhancement only; every page works without this file.
// It remembers the browser's time zone in a cookie so that the server can
// show instants in the viewer's zone. When the page was rendered in another
// zone and the viewer never chose one, it reloads once.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  var chosen = /(?:^|;\s*)tz=/.test(document.cookie);
  if (chosen) { return; }
  document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  var rendered = document.documentElement.getAttribute("data-zone");
  if (rendered && rendered !== zone && !sessionStorage.getItem("debrief-tz-reloaded")) {
    sessionStorage.setItem("debrief-tz-reloaded", "1");
    location.reload();
  }
})();

// The review page: with JavaScript, a change is sent in the background and
// the page content is swapped in place, keeping the scroll position, instead
// of a full reload. Without JavaScript the same forms post and redirect.
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser) { return; }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") { return; }
    if (!/\/incidents\/[^/]+\/review$/.test(form.getAttribute("action") || "")) { return; }
    event.preventDefault();
    var section = form.closest("section[id]");
    var sectionId = section ? section.id : null;
    var body = new URLSearchParams(new FormData(form, event.submitter));
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      credentials: "same-origin"
    }).then(function (res) {
      return res.text().then(function (html) { return { url: res.url, html: html }; });
    }).then(function (page) {
      var doc = new DOMParser().parseFromString(page.html, "text/html");
      var fresh = doc.querySelector("main");
      var main = document.querySelector("main");
      if (!fresh || !main) { location.href = page.url; return; }
      var y = window.scrollY;
      main.replaceWith(fresh);
      document.title = doc.title;
      window.scrollTo(0, y);
      var target = page.url.split("#")[0] + (sectionId ? "#" + sectionId : "");
      history.replaceState(null, "", target);
      // Tell keyboard and screen-reader users what happened.
      var focus = fresh.querySelector(".error-summary[role=alert]") ||
        (sectionId && fresh.querySelector("#" + CSS.escape(sectionId) + " .notice")) ||
        (sectionId && fresh.querySelector("#" + CSS.escape(sectionId)));
      if (focus) {
        if (!focus.hasAttribute("tabindex")) { focus.setAttribute("tabindex", "-1"); }
        focus.focus({ preventScroll: true });
      }
    }).catch(function () {
      // The network failed: fall back to the ordinary form post.
      buttons.forEach(function (b) { b.disabled = false; });
      form.submit();
    });
  });
})();

// The facilitation view: `n` and `p` step through the agenda (when no field
// has the focus). Without JavaScript the Next/Previous links do the same.
(function () {
  "use strict";
  if (!document.querySelector("[data-facilitate]")) { return; }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) { return; }
    var rel = event.key === "n" ? "next" : event.key === "p" ? "prev" : null;
    if (!rel) { return; }
    var link = document.querySelector(".current-item a[rel=" + rel + "]");
    if (link) { event.preventDefault(); location.href = link.href; }
  });
})();
