// Behaviour of the back-office pages. Kept out of the HTML: the Content-Security-Policy allows
// scripts from this site only ('self', no 'unsafe-inline' / 'unsafe-eval'), so an injected
// <script> or on…= attribute never runs (issue 8 item 8).
"use strict";

// The work queue's filters: a 400 (invalid filter) carries the page's own error fragment, to be
// shown in place rather than treated as a transport failure.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 400 && event.target.closest(".queue-page")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
