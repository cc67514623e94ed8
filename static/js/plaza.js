// Plaza progressive enhancement: every page works without this file.
// Live badge and toasts over the member's websocket, with replay after reconnects.
(function () {
  "use strict";
  var badge = document.querySelector("[data-unread-count]");
  var toasts = document.querySelector("[data-toasts]");
  var delay = 1000;

  function setUnread(n) {
    if (!badge) return;
    badge.textContent = String(n);
    badge.hidden = n < 1;
  }

  function toast(text, url) {
    if (!toasts || !text) return;
    var el = document.createElement(url ? "a" : "div");
    el.className = "toast";
    el.textContent = text;
    if (url) el.href = url;
    toasts.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }

  function connect() {
    if (!("WebSocket" in window)) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/inbox/");
    ws.onopen = function () {
      delay = 1000;
      var last = sessionStorage.getItem("plaza.lastNotification") || "0";
      ws.send(JSON.stringify({ type: "replay", after: Number(last) }));
    };
    ws.onmessage = function (msg) {
      var data;
      try { data = JSON.parse(msg.data); } catch (e) { return; }
      if (typeof data.unread === "number") setUnread(data.unread);
      if (data.type === "notification") {
        var seen = Number(sessionStorage.getItem("plaza.lastNotification") || "0");
        if (data.id > seen) {
          sessionStorage.setItem("plaza.lastNotification", String(data.id));
          if (!data.replayed) toast(data.text, data.url);
        }
      }
      document.dispatchEvent(new CustomEvent("plaza:inbox", { detail: data }));
    };
    ws.onclose = function (ev) {
      if (ev.code === 4401 || ev.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  window.Plaza = { toast: toast, setUnread: setUnread };
  connect();
})();
