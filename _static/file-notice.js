// The live panels (a `data-elmo-panel` placeholder, or class "elmo-panel") fetch the model's
// files and run them in a WebAssembly runtime: a browser refuses both to a page opened from the
// file system (file://). On such a page this script puts, above the first panel, the one
// command that serves the book locally. Jupyter Book adds every .js file in _static/ to every
// page; on a page without panels, or one served over http(s), it does nothing.
(function () {
  "use strict";
  function notice() {
    if (window.location.protocol !== "file:") return;
    const panel = document.querySelector(".elmo-panel, [data-elmo-panel]");
    if (!panel || document.querySelector(".elmo-file-notice")) return;
    const box = document.createElement("div");
    box.className = "admonition warning elmo-file-notice";
    box.setAttribute("role", "note");
    box.innerHTML =
      '<p class="admonition-title">These panels need the book served, not opened as a file</p>' +
      "<p>Your browser opened this page from the file system, and browsers do not let such a " +
      "page load the model. From the folder that holds the book (the repository, after " +
      "<code>bash scripts/build_book.sh</code>), run</p>" +
      "<pre>python3 -m http.server 8000 --bind 127.0.0.1 --directory _build/html</pre>" +
      '<p>and open <a href="http://127.0.0.1:8000/book/try_it.html">' +
      "http://127.0.0.1:8000/book/try_it.html</a>. The rest of the book reads fine as files.</p>";
    panel.parentNode.insertBefore(box, panel);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", notice);
  } else {
    notice();
  }
})();
