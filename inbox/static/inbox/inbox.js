// Plaza progressive enhancement: every page works without this file.
// Live badge and toasts over the member's websocket (/ws/inbox/). Every notification has
// `seq`, the member's own number, gapless and in commit order. We keep a cursor: the
// highest number up to which we have everything. The server's hello and every heartbeat
// carry the database's latest number; whenever it is ahead of us, or a live notification
// skips a number, we ask for a replay after our cursor. Duplicates are known by id.
(function () {
  "use strict";
  var badge = document.querySelector("[data-unread-count]");
  var toasts = document.querySelector("[data-toasts]");
  var delay = 1000;
  var key = null;
  var current = null;
  var cursor = 0;          // everything up to here is shown (or no longer visible)
  var shown = {};          // ids shown on this page: a push racing a replay is ignored
  var replaying = false;
  var silence = null;      // reconnect when no heartbeat arrives

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

  // The cursor is shared by the member's tabs, so a notification toasts in one tab only
  // and a reload replays only what is new.
  function stored() {
    try { return Number(localStorage.getItem(key) || "0"); } catch (e) { return 0; }
  }

  function store(value) {
    try {
      if (value > stored()) localStorage.setItem(key, String(value));
    } catch (e) { /* private mode: per page only */ }
  }

  function advance(value) {
    if (value > cursor) cursor = value;
    store(cursor);
  }

  function askReplay(ws) {
    if (replaying || ws.readyState !== 1) return;
    replaying = true;
    ws.send(JSON.stringify({ type: "replay", after: cursor }));
  }

  function connect() {
    if (!("WebSocket" in window)) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/inbox/");
    var beat = 15000;
    var held = {};  // live notifications beyond a gap, shown when the replay closes it

    function watchSilence() {
      clearTimeout(silence);
      silence = setTimeout(function () { ws.close(); }, beat * 2.5);
    }

    function show(data) {
      if (shown[data.id]) return;
      shown[data.id] = true;
      var fresh = data.seq > stored();
      if (!data.replayed && fresh) toast(data.text, data.url);
    }

    ws.onmessage = function (msg) {
      var data;
      try { data = JSON.parse(msg.data); } catch (e) { return; }
      watchSilence();
      if (typeof data.unread === "number") setUnread(data.unread);
      if (data.type === "hello") {
        delay = 1000;
        beat = (Number(data.heartbeat) || 15) * 1000;
        key = "plaza.inbox." + data.user + ".cursor";
        if (!cursor) cursor = stored();
        replaying = false;
        askReplay(ws);
      } else if (data.type === "notification") {
        if (shown[data.id] || (data.seq && data.seq <= cursor && !data.replayed)) return;
        if (data.replayed || data.seq === cursor + 1) {
          show(data);
          if (!data.replayed) advance(data.seq);
        } else {
          held[data.id] = data;  // a number was skipped: something is missing
          askReplay(ws);
        }
      } else if (data.type === "unread" && "cursor" in data) {
        replaying = false;
        // The replay is authoritative up to its cursor; what it did not send is gone.
        for (var id in held) {
          if (held[id].seq <= data.cursor) { show(held[id]); delete held[id]; }
        }
        advance(data.cursor);
        if (data.more) askReplay(ws);
        if (badge) badge.setAttribute("data-live", "1");  // caught up; live from here on
      } else if (data.type === "heartbeat") {
        if (typeof data.cursor === "number" && data.cursor > cursor) askReplay(ws);
      }
      document.dispatchEvent(new CustomEvent("plaza:inbox", { detail: data }));
    };
    current = ws;
    ws.onclose = function (ev) {
      clearTimeout(silence);
      replaying = false;
      if (ev.code === 4401 || ev.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  // Back to a hidden tab: catch up at once rather than at the next heartbeat.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && current && key) askReplay(current);
  });

  window.Plaza = { toast: toast, setUnread: setUnread };
  connect();
})();
