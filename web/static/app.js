// Our only script. htmx does not swap error answers (4xx/5xx other than 422, see the htmx-config
// meta tag); this shows the message of such an answer in the page's message region instead.
(function () {
  "use strict";

  function region() {
    return document.getElementById("messages");
  }

  function show(text, kind) {
    var box = region();
    if (!box) return;
    var p = document.createElement("p");
    p.className = kind || "flash error";
    p.textContent = text;
    box.replaceChildren(p);
    box.scrollIntoView({ block: "nearest" });
  }

  function messageFrom(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var node = doc.querySelector("[data-message]") || doc.querySelector("main h1");
      if (node && node.textContent.trim()) return node.textContent.trim();
    }
    var box = region();
    return box ? box.dataset.genericError : "Error";
  }

  document.addEventListener("htmx:responseError", function (event) {
    show(messageFrom(event.detail.xhr));
  });

  document.addEventListener("htmx:sendError", function () {
    var box = region();
    show(box ? box.dataset.networkError : "Network error");
  });
})();
