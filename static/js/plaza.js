// Plaza progressive enhancement: every page works without this file.
// Live badge and toasts over the member's websocket (/ws/inbox/), with replay after reconnects:
// the server says hello, we send {"type":"replay","after":<last id seen>}, it sends every newer
// notification (replayed: true, no toast) and the unread count. Ids only ever grow, so anything
// not newer than the last id seen is a duplicate (a push racing the replay) and is ignored.
(function () {
  "use strict";
  var badge = document.querySelector("[data-unread-count]");
  var toasts = document.querySelector("[data-toasts]");
  var delay = 1000;
  var key = null;
  var current = null;

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

  function lastSeen() {
    try { return Number(localStorage.getItem(key) || "0"); } catch (e) { return 0; }
  }

  function remember(id) {
    try { localStorage.setItem(key, String(id)); } catch (e) { /* private mode: dedup per page only */ }
  }

  function connect() {
    if (!("WebSocket" in window)) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/inbox/");
    var seen = 0;
    ws.onmessage = function (msg) {
      var data;
      try { data = JSON.parse(msg.data); } catch (e) { return; }
      if (typeof data.unread === "number") setUnread(data.unread);
      if (data.type === "hello") {
        delay = 1000;
        key = "plaza.inbox." + data.user + ".last";
        seen = lastSeen();
        ws.send(JSON.stringify({ type: "replay", after: seen }));
      } else if (data.type === "notification") {
        // Not newer than what we saw: already shown (another tab, a push racing the replay).
        if (data.id <= Math.max(seen, lastSeen())) return;
        seen = data.id;
        remember(seen);
        if (!data.replayed) toast(data.text, data.url);
      } else if (data.type === "unread") {
        if (data.last && !lastSeen()) remember(data.last);  // a first visit: start from now
        if (badge) badge.setAttribute("data-live", "1");  // caught up; live from here on
      }
      document.dispatchEvent(new CustomEvent("plaza:inbox", { detail: data }));
    };
    current = ws;
    ws.onclose = function (ev) {
      if (ev.code === 4401 || ev.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  // Back to a hidden tab: catch up on anything a push may have missed (a Redis restart
  // forgets subscriptions silently); the server re-subscribes on every replay.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && current && current.readyState === 1 && key) {
      current.send(JSON.stringify({ type: "replay", after: lastSeen() }));
    }
  });

  window.Plaza = { toast: toast, setUnread: setUnread };
  connect();
})();
