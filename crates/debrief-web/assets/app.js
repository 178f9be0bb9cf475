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
