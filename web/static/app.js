// Our only script: small progressive enhancements; every page works without it. htmx does not swap
// error answers (4xx/5xx other than 422, see the htmx-config meta tag); the first part shows the
// message of such an answer in the page's message region instead.
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

// 随手拍: "use my phone's location" fills the report's coordinates. Without script (or without a
// location) the reporter types the address, which the form asks for anyway.
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("f-lat").value = position.coords.latitude.toFixed(6);
      document.getElementById("f-lng").value = position.coords.longitude.toFixed(6);
      var note = document.querySelector("[data-located]");
      if (note) note.hidden = false;
    });
  });
})();
