// Plaza discussions: progressive enhancement for thread pages (everything works without it).
// - inline reply form under any post (the no-JS path is the reply page)
// - replies and reactions sent without a reload
// - live thread: the socket carries ids only; each post is fetched as a fragment that the
//   server renders for this viewer (permission checked there)
// - @mention autocomplete among people who can read the thread
(function () {
  "use strict";
  var root = document.querySelector(".discussion[data-thread]");
  if (!root) return;
  var fragmentBase = root.getAttribute("data-fragment-base");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";

  function toast(text) {
    if (window.Plaza && window.Plaza.toast) { window.Plaza.toast(text); return; }
    var box = document.querySelector("[data-toasts]");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast";
    el.textContent = text;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }

  function node(id) { return document.getElementById("post-" + id); }

  function fetchFragment(id) {
    if (!fragmentBase) return Promise.reject(new Error("no fragment url"));
    return fetch(fragmentBase + id + "/fragment/", { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var t = document.createElement("template");
        t.innerHTML = html.trim();
        return t.content.firstElementChild;
      });
  }

  function childList(parentNode) {
    if (parentNode.classList.contains("opening")) return root.querySelector("ol[data-tree]");
    var details = parentNode.querySelector(":scope > details");
    if (!details) return null;
    var list = details.querySelector(":scope > ol.replies");
    if (!list) {
      list = document.createElement("ol");
      list.className = "replies";
      details.appendChild(list);
    }
    return list;
  }

  // Replies being fetched, so a reply to a reply that is still on its way waits for it.
  var inflight = {};

  function insertPost(id, parentId) {
    if (node(id)) return Promise.resolve(node(id));
    if (inflight[id]) return inflight[id];
    var parentNode = node(parentId);
    if (!parentNode) {
      return inflight[parentId] ? inflight[parentId].then(function () { return insertPost(id, parentId); })
        : Promise.resolve(null);
    }
    if (parentNode.classList.contains("opening") && root.hasAttribute("data-more-pages")) {
      toast(root.getAttribute("data-later-text") || "+1");
      return Promise.resolve(null);
    }
    inflight[id] = fetchFragment(id).then(function (li) {
      if (!li || node(id)) return node(id);
      var list = childList(parentNode);
      if (!list) return null;
      li.classList.add("is-new");
      list.appendChild(li);
      refreshAncestors(li);
      announce(li);
      return li;
    }).catch(function () { return null; }).finally(function () { delete inflight[id]; });
    return inflight[id];
  }

  // Screen readers hear of replies that appear while reading (a polite live region).
  var announcer = root.querySelector("[data-announce]");
  function announce(li) {
    var author = li.querySelector(".post-author");
    if (!announcer || !author) return;
    announcer.textContent = (announcer.getAttribute("data-new-reply-text") || "") + " " + author.textContent;
  }

  // Collapsed summaries say how many replies they hold: refresh them up the branch.
  function refreshAncestors(li) {
    var up = li.parentNode && li.parentNode.closest("li.node[data-post]");
    while (up) {
      refreshSummary(up.getAttribute("data-post"));
      up = up.parentNode && up.parentNode.closest("li.node[data-post]");
    }
  }

  // Responses may arrive out of order: only the latest request per post may write.
  var latest = {};
  function ticket(id) { latest[id] = (latest[id] || 0) + 1; return latest[id]; }

  function refreshSummary(id) {
    var key = "s" + id, mine = ticket(key);
    fetchFragment(id).then(function (li) {
      if (latest[key] !== mine) return;
      var fresh = li && li.querySelector(":scope > details > summary");
      var old = node(id) && node(id).querySelector(":scope > details > summary");
      if (fresh && old) old.replaceWith(fresh);
    }).catch(function () {});
  }

  function updatePost(id) {
    var old = node(id);
    if (!old) return Promise.resolve();
    var key = "u" + id, mine = ticket(key);
    return fetchFragment(id).then(function (li) {
      if (latest[key] !== mine) return;
      var fresh = li && li.querySelector(":scope > details");
      var details = old.querySelector(":scope > details");
      if (!fresh || !details) return;
      ["summary", ".post-main"].forEach(function (sel) {
        var a = details.querySelector(":scope > " + sel), b = fresh.querySelector(":scope > " + sel);
        if (a && b) a.replaceWith(b);
      });
    }).catch(function () {
      if (latest[key] !== mine) return;
      // No longer visible to this viewer: drop the content, keep the tree.
      var main = old.querySelector(".post-main");
      if (main) main.textContent = "";
    });
  }

  // --- inline replies ---------------------------------------------------------------
  var form = root.querySelector("form[data-reply-form]");
  var home = form && form.parentNode;
  var homeNext = form && form.nextSibling;
  var cancel = form && form.querySelector("[data-reply-cancel]");
  var errorBox = form && form.querySelector("[data-form-error]");

  function setParent(id) {
    var input = form.querySelector("input[name=parent]");
    if (input) input.value = id || "";
  }

  // Each reply the member means to write has its own idempotency key: a retry of the same
  // submit sends the same key (the server then answers with the reply it already stored),
  // the next reply gets a new one.
  function freshKey() {
    var input = form.querySelector("input[name=idempotency_key]");
    if (!input || !window.crypto || !window.crypto.getRandomValues) return;
    var bytes = window.crypto.getRandomValues(new Uint8Array(16)), hex = "";
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    input.value = hex;
  }

  // A lost connection or a gateway/overload answer says nothing about whether the reply was
  // stored: send the very same request again (same key), a few times, then fall back to a
  // plain submit of the form, which carries the same key too.
  var RETRY_DELAYS = [1000, 3000, 7000];
  function sendReply(data, attempt) {
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) {
        if (r.status === 502 || r.status === 503 || r.status === 504) throw new Error(String(r.status));
        return r.json().catch(function () { return { ok: false, error: String(r.status) }; });
      })
      .catch(function (err) {
        if (attempt >= RETRY_DELAYS.length) throw err;
        return new Promise(function (resolve) { setTimeout(resolve, RETRY_DELAYS[attempt]); })
          .then(function () { return sendReply(data, attempt + 1); });
      });
  }

  function resetForm() {
    setParent("");
    if (cancel) cancel.hidden = true;
    if (home) home.insertBefore(form, homeNext);
  }

  if (form) {
    root.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[data-reply]");
      if (!link || !root.contains(link)) return;
      ev.preventDefault();
      var id = link.getAttribute("data-reply");
      var main = link.closest(".post-main");
      main.parentNode.insertBefore(form, main.nextSibling);
      setParent(id);
      freshKey();
      if (cancel) cancel.hidden = false;
      if (errorBox) errorBox.hidden = true;
      var area = form.querySelector("textarea");
      if (area) area.focus();
    });
    if (cancel) cancel.addEventListener("click", resetForm);

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      var data = new FormData(form);
      var parentId = data.get("parent");
      var failed = false;
      sendReply(data, 0)
        .then(function (result) {
          if (!result.ok) {
            if (errorBox) { errorBox.textContent = result.error; errorBox.hidden = false; }
            return;
          }
          if (errorBox) errorBox.hidden = true;
          form.querySelector("textarea").value = "";
          resetForm();
          freshKey();
          var openingId = (root.querySelector(".opening[data-post]") || {}).id;
          var parent = result.parent || (openingId ? openingId.replace("post-", "") : parentId);
          return insertPost(result.post, parent).then(function (li) {
            if (li) { li.scrollIntoView({ block: "nearest" }); li.querySelector("summary").focus(); }
          });
        }, function () {
          // Still no answer: the plain submit (same key) lands on the reply either way.
          failed = true;
          form.submit();
        })
        .catch(function () {})  // showing the stored reply failed: it is stored, send nothing
        .finally(function () { if (button && !failed) button.disabled = false; });
    });
  }

  // --- reactions --------------------------------------------------------------------
  // "React" opens the page's one menu template under the post (the link is the no-JS path).
  var menuTemplate = document.getElementById("react-menu-template");
  root.addEventListener("click", function (ev) {
    var link = ev.target.closest("a[data-react-menu]");
    if (!link || !menuTemplate) return;
    ev.preventDefault();
    var actions = link.parentNode;
    var open = actions.querySelector("form.react-menu");
    if (open) { open.remove(); link.setAttribute("aria-expanded", "false"); return; }
    var menu = menuTemplate.content.firstElementChild.cloneNode(true);
    menu.action = link.href;
    actions.appendChild(menu);
    link.setAttribute("aria-expanded", "true");
    var first = menu.querySelector("button");
    if (first) first.focus();
  });

  root.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (!f.matches("form[data-react]")) return;
    ev.preventDefault();
    var data = new FormData(f);
    if (ev.submitter && ev.submitter.name) data.set(ev.submitter.name, ev.submitter.value);
    var id = f.closest("[data-post]").getAttribute("data-post");
    fetch(f.action, { method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) { return r.json(); })
      .then(function (result) { if (result.ok) updatePost(id); else toast(result.error); })
      .catch(function () { f.submit(); });
  });

  // --- live updates -----------------------------------------------------------------
  var wsPath = root.getAttribute("data-ws");
  var delay = 1000;
  function connect() {
    if (!wsPath || !("WebSocket" in window)) return;
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + wsPath);
    ws.onopen = function () { delay = 1000; root.setAttribute("data-live", "1"); };
    ws.onmessage = function (msg) {
      var data;
      try { data = JSON.parse(msg.data); } catch (e) { return; }
      if (data.type === "post_created") insertPost(data.post, data.parent);
      else if (data.type === "post_updated") updatePost(data.post);
      else if (data.type === "thread_updated") toast(root.getAttribute("data-changed-text") || "");
    };
    ws.onclose = function (ev) {
      root.removeAttribute("data-live");
      if (ev.code === 4403 || ev.code === 4401) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();

  // --- @mention autocomplete --------------------------------------------------------
  var mentionsUrl = root.getAttribute("data-mentions-url");
  var counter = 0;
  function attachMentions(area) {
    if (!mentionsUrl || area.getAttribute("data-mentions-ready")) return;
    area.setAttribute("data-mentions-ready", "1");
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.id = "mention-list-" + (++counter);
    list.setAttribute("role", "listbox");
    list.hidden = true;
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", list.id);
    area.parentNode.insertBefore(list, area.nextSibling);
    var active = -1, timer = null, start = -1;

    function close() { list.hidden = true; list.textContent = ""; active = -1; area.removeAttribute("aria-activedescendant"); }
    function highlight(i) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (items[i]) area.setAttribute("aria-activedescendant", items[i].id);
    }
    function choose(li) {
      var handle = li.getAttribute("data-username");
      var caret = area.selectionStart;
      area.value = area.value.slice(0, start) + "@" + handle + " " + area.value.slice(caret);
      var pos = start + handle.length + 2;
      area.setSelectionRange(pos, pos);
      close();
      area.focus();
    }
    area.addEventListener("input", function () {
      var before = area.value.slice(0, area.selectionStart);
      var m = /(^|[^\w@])@([\w.+-]{1,30})$/.exec(before);
      if (!m) { close(); return; }
      start = before.length - m[2].length - 1;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(mentionsUrl + "?q=" + encodeURIComponent(m[2]), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.results || []).forEach(function (p, i) {
              var li = document.createElement("li");
              li.id = list.id + "-" + i;
              li.setAttribute("role", "option");
              li.setAttribute("data-username", p.username);
              li.textContent = p.name + " (@" + p.username + ")";
              li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(li); });
              list.appendChild(li);
            });
            list.hidden = !list.children.length;
            if (list.children.length) highlight(0);
          })
          .catch(close);
      }, 150);
    });
    area.addEventListener("keydown", function (ev) {
      if (list.hidden) return;
      var n = list.children.length;
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight((active + 1) % n); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight((active - 1 + n) % n); }
      else if (ev.key === "Enter" || ev.key === "Tab") { if (active >= 0) { ev.preventDefault(); choose(list.children[active]); } }
      else if (ev.key === "Escape") { close(); }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  root.querySelectorAll("textarea[data-mentions]").forEach(attachMentions);
})();
