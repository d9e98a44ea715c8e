/* The lobby screen: keeps the clock, now/next and the rotating slides current from the data
   the page was drawn with, refreshes that data every minute (ETag: an unchanged programme
   costs a 304), keeps showing what it had when the network drops (the service worker
   answers with the last data and keeps the honor board's photos), reports a heartbeat and
   follows new deployments. Urgent notices (停水停电 …) stay in a red strip over every slide.
   Plain script, no framework, no network beyond its own server. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("kiosk-config").textContent);
  var data = JSON.parse(document.getElementById("kiosk-data").textContent);
  var root = document.documentElement;
  var $ = function (selector) { return document.querySelector(selector); };
  var WEEKDAYS = "日一二三四五六";
  var HOUR = 3600 * 1000;
  var IDLE_TOUCH_MS = 60 * 1000;
  var UPDATE_CHECK_MS = 5 * 60 * 1000;
  var storageKey = function (name) { return "kiosk:" + name + ":" + config.dataUrl; };

  var state = {
    etag: null,
    online: true,
    onlineSince: new Date(),
    lastDataAt: data.generated_at ? new Date(data.generated_at) : new Date(),
    slideIndex: 0,
    pageStart: 0,
    slideTimer: null,
    detailOpen: false,
    idleTimer: null,
    lastMinute: -1,
  };

  /* ---- time in the district (Asia/Shanghai, UTC+8 all year) ---- */
  function local(date) { return new Date(date.getTime() + 8 * HOUR); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmm(date) { var d = local(date); return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()); }
  function chineseDate(date) {
    var d = local(date);
    return d.getUTCFullYear() + "年" + (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日 星期" + WEEKDAYS[d.getUTCDay()];
  }
  function dayNumber(date) { return Math.floor(local(date).getTime() / (24 * HOUR)); }
  function minutesOfDay(date) { var d = local(date); return d.getUTCHours() * 60 + d.getUTCMinutes(); }
  function parseClock(text) {
    if (!text) return null;
    var parts = text.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  /* ---- the data ---- */
  function sessions(list) {
    return (list || []).map(function (s) {
      return Object.assign({}, s, { starts: new Date(s.starts_at), ends: new Date(s.ends_at) });
    });
  }
  function timeLabel(s) { return s.all_day ? "全天" : hhmm(s.starts) + "–" + hhmm(s.ends); }
  function soonLabel(s, now) {
    if (s.starts <= now) return "";
    var minutes = Math.ceil((s.starts - now) / 60000);
    if (minutes < 60) return "还有" + minutes + "分钟";
    var days = dayNumber(s.starts) - dayNumber(now);
    if (days === 0) return hhmm(s.starts) + " 开始";
    if (days === 1) return "明天 " + hhmm(s.starts) + " 开始";
    var d = local(s.starts);
    return (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日 " + hhmm(s.starts) + " 开始";
  }
  function isCancelled(s) { return s.status === "cancelled"; }

  /* A QR code: a whole SVG, or the path data of one (the data's "qr" map) on a grid of
     one unit per module, wrapped here with a white margin. */
  function qrMarkup(key) {
    if (!key) return "";
    var value = (data.qr && data.qr[key]) || key;
    var size = null;
    if (typeof value === "object") { size = value.size; value = value.d || value.path || ""; }
    if (/^\s*<svg/.test(value)) return value;
    size = size || pathExtent(value);
    if (!size) return "";
    return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 ' + (size + 4) + " " + (size + 4) +
      '" shape-rendering="crispEdges" aria-hidden="true"><rect x="-2" y="-2" width="' + (size + 4) +
      '" height="' + (size + 4) + '" fill="#fff"/><path stroke="#000" d="' + value.replace(/"/g, "") + '"/></svg>';
  }
  function pathExtent(d) {
    var x = 0, y = 0, max = 0, match, re = /([MmHhVvLl])\s*([-\d.\s,]*)/g;
    while ((match = re.exec(d))) {
      var n = match[2].trim().split(/[\s,]+/).map(Number);
      switch (match[1]) {
        case "M": x = n[0]; y = n[1]; break;
        case "m": x += n[0]; y += n[1]; break;
        case "H": x = n[0]; break;
        case "h": x += n[0]; break;
        case "V": y = n[0]; break;
        case "v": y += n[0]; break;
        case "L": x = n[0]; y = n[1]; break;
        case "l": x += n[0]; y += n[1]; break;
      }
      max = Math.max(max, x, y + 0.5);
    }
    return Math.round(max);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function qrNode(className, key, label) {
    var markup = qrMarkup(key);
    if (!markup) return null;
    var box = el("div", className);
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", "扫码查看：" + label);
    box.innerHTML = markup;
    var svg = box.querySelector("svg");
    if (svg) { svg.removeAttribute("role"); svg.setAttribute("aria-hidden", "true"); }
    return box;
  }

  function appendQr(node, key, label) {
    var qr = qrNode("kiosk-line__qr", key, label);
    if (qr) node.appendChild(qr);
  }

  /* ---- now and next ---- */
  function leftToday(now) {
    return sessions(data.today).filter(function (s) { return s.ends > now; });
  }
  function renderNowNext(now) {
    var left = leftToday(now);
    var running = left.filter(function (s) { return !isCancelled(s) && !s.all_day && s.starts <= now; });
    var upcoming = left.filter(function (s) { return !isCancelled(s) && s.starts > now; });
    if (!upcoming.length) {
      upcoming = sessions(data.tomorrow).filter(function (s) { return !isCancelled(s) && s.starts > now; });
    }
    fillCards($("[data-running]"), running.slice(0, 2), now, false, "暂无进行中的活动");
    fillCards($("[data-upcoming]"), upcoming.slice(0, 2), now, true, "今天的活动都已结束");
  }
  function fillCards(list, items, now, withSoon, emptyText) {
    list.textContent = "";
    if (!items.length) { list.appendChild(el("li", "kiosk-card kiosk-card--empty", emptyText)); return; }
    items.forEach(function (s) {
      var card = el("li", "kiosk-card");
      var text = el("div", "kiosk-card__text");
      text.appendChild(el("p", "kiosk-card__title", s.title));
      text.appendChild(el("p", "kiosk-card__meta", timeLabel(s) + " · " + (s.room || "")));
      var soon = withSoon ? soonLabel(s, now) : "";
      if (soon) text.appendChild(el("p", "kiosk-card__soon", soon));
      card.appendChild(text);
      var qr = qrNode("kiosk-qr", s.qr, s.title);
      if (qr) card.appendChild(qr);
      pickable(card, s);
      list.appendChild(card);
    });
  }

  /* ---- slides ---- */
  var SLIDE_TITLES = {
    today: "今日活动", tomorrow: "明日活动", week: "本周精选", services_open: "正在办理的服务",
    notices: "通知公告", honors: "光荣榜",
  };
  function slideItems(kind, now) {
    if (kind === "today") return leftToday(now);
    if (kind === "tomorrow") return sessions(data.tomorrow);
    if (kind === "week") return sessions(data.week).filter(function (s) { return s.ends > now; });
    if (kind === "services_open") return data.services_open || [];
    if (kind === "notices") return data.notices || [];
    if (kind === "honors") {
      var ranking = data.ranking && data.ranking.rows && data.ranking.rows.length ? [{ ranking: data.ranking }] : [];
      return (data.honors || []).concat(ranking);
    }
    return [];
  }
  function shortDate(iso) {
    var parts = (iso || "").split("-");
    return parts.length === 3 ? parseInt(parts[1], 10) + "月" + parseInt(parts[2], 10) + "日" : "";
  }
  /* A notice: its category (red when urgent), title, date and summary, and its QR code. */
  function noticeLine(item) {
    var line = el("li", "kiosk-line kiosk-line--notice" + (item.is_urgent ? " is-urgent" : ""));
    line.appendChild(el("span", "kiosk-notice__category", item.category || "通知"));
    line.appendChild(el("span", "kiosk-line__title", item.title));
    line.appendChild(el("span", "kiosk-line__room", shortDate(item.date)));
    if (item.summary) line.appendChild(el("span", "kiosk-notice__summary", item.summary));
    appendQr(line, item.qr, item.title);
    return line;
  }
  /* An honour: the photo only when the data carries one (given with consent), else the
     first character of the name as shown; the name as shown (masked without consent). */
  function honorCard(item) {
    if (item.ranking) return rankingCard(item.ranking);
    var card = el("li", "kiosk-honor");
    var picture = el("div", "kiosk-honor__photo");
    if (item.photo) {
      var img = document.createElement("img");
      img.alt = "";
      img.src = item.photo;
      img.addEventListener("error", function () { picture.textContent = (item.name || "").charAt(0); });
      picture.appendChild(img);
    } else {
      picture.classList.add("is-initial");
      picture.setAttribute("aria-hidden", "true");
      picture.textContent = (item.name || "").charAt(0);
    }
    card.appendChild(picture);
    var text = el("div", "kiosk-honor__text");
    text.appendChild(el("p", "kiosk-honor__name", item.name));
    text.appendChild(el("p", "kiosk-honor__award", item.award));
    if (item.citation) text.appendChild(el("p", "kiosk-honor__citation", item.citation));
    card.appendChild(text);
    return card;
  }
  function slides(now) {
    var list = ((data.kiosk && data.kiosk.slides) || []).filter(function (slide) {
      return slide.kind === "today" || slideItems(slide.kind, now).length;
    });
    return list.length ? list : [{ kind: "today", title: "今日活动", seconds: 20 }];
  }
  /* This month's points ranking: rank, name as shown (masked without consent), points. */
  function rankingCard(ranking) {
    var card = el("li", "kiosk-honor kiosk-honor--ranking");
    card.appendChild(el("p", "kiosk-ranking__title", "本月积分榜 " + (ranking.period || "")));
    var rows = el("ol", "kiosk-ranking__rows");
    ranking.rows.forEach(function (row) {
      var line = el("li", "kiosk-ranking__row");
      line.appendChild(el("span", "kiosk-ranking__rank", "第" + row.rank + "名"));
      line.appendChild(el("span", "kiosk-ranking__name", row.name));
      line.appendChild(el("span", "kiosk-ranking__points", row.points + "分"));
      rows.appendChild(line);
    });
    card.appendChild(rows);
    return card;
  }
  function lineFor(kind, item, now) {
    if (kind === "notices") return noticeLine(item);
    if (kind === "honors") return honorCard(item);
    var line = el("li", "kiosk-line");
    if (kind === "services_open") {
      line.classList.add("kiosk-line--service");
      line.appendChild(el("span", "kiosk-line__title", item.name));
      line.appendChild(el("span", "kiosk-line__room", "正在办理"));
      appendQr(line, item.qr, item.name);
      return line;
    }
    var time = el("span", "kiosk-line__time");
    if (kind === "week") {
      line.classList.add("kiosk-line--week");
      var d = local(item.starts);
      time.appendChild(el("span", "kiosk-line__day", (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日 周" + WEEKDAYS[d.getUTCDay()]));
    }
    time.appendChild(document.createTextNode(timeLabel(item)));
    line.appendChild(time);
    var title = el("span", "kiosk-line__title");
    if (isCancelled(item)) {
      line.classList.add("is-cancelled");
      title.appendChild(el("s", null, item.title));
    } else {
      title.textContent = item.title;
    }
    line.appendChild(title);
    line.appendChild(el("span", "kiosk-line__room", item.room || ""));
    if (isCancelled(item)) {
      line.appendChild(el("span", "kiosk-line__reason", "已取消" + (item.reason ? "：" + item.reason : "")));
    } else if (item.status === "moved" && item.reason) {
      line.appendChild(el("span", "kiosk-line__reason", "已调整：" + item.reason));
    }
    if (!isCancelled(item)) appendQr(line, item.qr, item.title);
    if (!isCancelled(item) && item.starts <= now && item.ends > now) line.classList.add("is-now");
    pickable(line, item);
    return line;
  }
  /* Draws the current slide from item ``start`` on, as many lines as fit; returns the
     index after the last one shown (so a long list pages instead of scrolling). */
  function renderSlide(now) {
    var all = slides(now);
    if (state.slideIndex >= all.length) { state.slideIndex = 0; state.pageStart = 0; }
    var slide = all[state.slideIndex];
    var items = slideItems(slide.kind, now);
    if (state.pageStart >= items.length) state.pageStart = 0;
    $("[data-slide-title]").textContent = slide.title || SLIDE_TITLES[slide.kind] || "";
    var slideQr = $("[data-slide-qr]");
    if (slideQr) {
      slideQr.textContent = "";
      var code = qrNode("kiosk-slide__code", slide.qr, slide.title || "");
      if (code) slideQr.appendChild(code);
    }
    var list = $("[data-slide-items]");
    list.textContent = "";
    list.classList.toggle("kiosk-lines--honors", slide.kind === "honors");
    if (!items.length) {
      list.appendChild(el("li", "kiosk-line kiosk-line--empty", slide.kind === "today" ? "今天没有更多活动" : "暂无"));
      return { slide: slide, next: 0, count: 0, all: all };
    }
    var index = state.pageStart;
    for (; index < items.length; index++) {
      var line = lineFor(slide.kind, items[index], now);
      list.appendChild(line);
      if (list.scrollHeight > list.clientHeight + 1 && index > state.pageStart) {
        list.removeChild(line);
        break;
      }
    }
    var dots = all.map(function (_, i) { return i === state.slideIndex ? "●" : "○"; }).join("");
    $("[data-dots]").textContent = all.length > 1 ? dots : "";
    return { slide: slide, next: index < items.length ? index : 0, count: items.length, all: all };
  }
  function showSlide() {
    clearTimeout(state.slideTimer);
    var now = new Date();
    var shown = renderSlide(now);
    var seconds = Math.max(3, shown.slide.seconds || 15);
    state.slideTimer = setTimeout(function () {
      if (state.detailOpen) { showSlide(); return; }
      if (shown.next) {
        state.pageStart = shown.next;
      } else {
        state.pageStart = 0;
        state.slideIndex = (state.slideIndex + 1) % shown.all.length;
      }
      showSlide();
    }, seconds * 1000);
  }
  /* New data, same place in the rotation. */
  function redrawSlide() {
    var shown = renderSlide(new Date());
    return shown;
  }

  /* ---- urgent notices: a red strip at the top, over every slide ---- */
  function renderUrgent() {
    var urgent = data.urgent || [];
    var strip = $("[data-urgent]");
    if (!strip) {
      strip = el("div", "kiosk-urgent");
      strip.setAttribute("data-urgent", "");
      var screenNode = $("[data-screen]");
      screenNode.insertBefore(strip, screenNode.firstChild);
    }
    strip.textContent = "";
    strip.hidden = !urgent.length;
    root.classList.toggle("has-urgent", urgent.length > 0);
    if (!urgent.length) return;
    strip.appendChild(el("strong", "kiosk-urgent__label", "紧急通知"));
    var text = el("p", "kiosk-urgent__text");
    urgent.forEach(function (notice, i) {
      if (i) text.appendChild(document.createTextNode("　｜　"));
      var words = (notice.category ? "【" + notice.category + "】" : "") + notice.title;
      text.appendChild(el("span", null, words + (notice.summary ? "：" + notice.summary : "")));
    });
    strip.appendChild(text);
  }

  /* ---- touch: a tapped session's details and its QR code; back after 60 s ---- */
  function pickable(node, item) {
    if (!data.kiosk || !data.kiosk.touch || !item.starts) return;
    var button = el("button", "kiosk-line__pick");
    button.type = "button";
    while (node.firstChild) button.appendChild(node.firstChild);
    node.appendChild(button);
    button.addEventListener("click", function () { openDetail(item); });
  }
  function openDetail(item) {
    var detail = $("[data-detail]");
    if (!detail) return;
    $("[data-detail-title]").textContent = item.title;
    var facts = $("[data-detail-facts]");
    facts.textContent = "";
    var d = local(item.starts);
    var rows = [
      ["时间", (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日 周" + WEEKDAYS[d.getUTCDay()] + " " + timeLabel(item)],
      ["地点", item.room || ""],
    ];
    if (isCancelled(item)) rows.push(["状态", "已取消" + (item.reason ? "：" + item.reason : "")]);
    else if (item.status === "moved") rows.push(["状态", "已调整" + (item.reason ? "：" + item.reason : "")]);
    rows.forEach(function (row) {
      facts.appendChild(el("dt", null, row[0]));
      facts.appendChild(el("dd", null, row[1]));
    });
    var qrBox = $("[data-detail-qr]");
    qrBox.textContent = "";
    var qr = qrNode("kiosk-detail__code", item.qr, item.title);
    if (qr) { qrBox.appendChild(qr); qrBox.appendChild(el("p", null, "扫码查看详情与报名")); }
    detail.hidden = false;
    state.detailOpen = true;
    touched();
    $("[data-detail-close]").focus();
  }
  function closeDetail() {
    var detail = $("[data-detail]");
    if (detail) detail.hidden = true;
    state.detailOpen = false;
  }
  function touched() {
    clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(closeDetail, IDLE_TOUCH_MS);
  }

  /* ---- dark hours: a dim clock only, moving each minute ---- */
  function isDark(now) {
    var from = parseClock(data.kiosk && data.kiosk.dark_from);
    var until = parseClock(data.kiosk && data.kiosk.dark_until);
    if (from == null || until == null || from === until) return false;
    var m = minutesOfDay(now);
    return from < until ? m >= from && m < until : m >= from || m < until;
  }
  function renderDark(now) {
    var dark = isDark(now);
    root.classList.toggle("is-dark", dark);
    var layer = $("[data-dark]");
    layer.hidden = !dark;
    if (dark) {
      var clock = $("[data-dark-clock]");
      clock.textContent = hhmm(now);
      var m = minutesOfDay(now);
      clock.style.left = (10 + (m * 37) % 70) + "%";
      clock.style.top = (10 + (m * 53) % 75) + "%";
    }
    return dark;
  }

  /* ---- the clock ---- */
  function tick() {
    var now = new Date();
    $("[data-clock]").textContent = hhmm(now);
    $("[data-date]").textContent = chineseDate(now);
    var minute = Math.floor(now.getTime() / 60000);
    if (minute !== state.lastMinute) {
      state.lastMinute = minute;
      if (!renderDark(now)) renderNowNext(now);
    }
  }

  /* ---- online / offline ---- */
  function markOnline() {
    if (!state.online) state.onlineSince = new Date();
    state.online = true;
    try { localStorage.removeItem(storageKey("offline-since")); } catch (e) { /* private mode */ }
    renderOffline();
  }
  function markOffline() {
    var since = null;
    try { since = localStorage.getItem(storageKey("offline-since")); } catch (e) { /* private mode */ }
    if (!since) {
      since = new Date().toISOString();
      try { localStorage.setItem(storageKey("offline-since"), since); } catch (e) { /* private mode */ }
    }
    state.online = false;
    state.offlineSince = new Date(since);
    renderOffline();
  }
  function renderOffline() {
    var note = $("[data-offline]");
    note.hidden = state.online;
    note.textContent = state.online ? "" : "离线 自 " + hhmm(state.offlineSince);
  }

  function useData(fresh) {
    data = fresh;
    var now = new Date();
    renderUrgent();
    renderNowNext(now);
    renderDark(now);
    redrawSlide();
    keepPhotos();
    if (fresh.version && fresh.version !== config.version) checkForUpdate();
  }

  function refresh() {
    var headers = { Accept: "application/json" };
    if (state.etag) headers["If-None-Match"] = state.etag;
    return fetch(config.dataUrl, { headers: headers, cache: "no-store", credentials: "omit" })
      .then(function (response) {
        var fromCache = response.headers.get("X-Kiosk-From-Cache");
        if (response.status === 304) { markOnline(); return; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        var etag = response.headers.get("ETag");
        return response.json().then(function (fresh) {
          if (fromCache) {
            markOffline();
          } else {
            state.etag = etag;
            state.lastDataAt = new Date();
            markOnline();
          }
          useData(fresh);
        });
      })
      .catch(function () { markOffline(); });
  }

  /* ---- heartbeat (only a screen given its token through the setup link reports) ---- */
  function takeToken() {
    var url = new URL(location.href);
    var token = url.searchParams.get("token");
    if (token) {
      try { localStorage.setItem(storageKey("token"), token); } catch (e) { /* private mode */ }
      url.searchParams.delete("token");
      history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
  }
  function heartbeat() {
    var token = null;
    try { token = localStorage.getItem(storageKey("token")); } catch (e) { /* private mode */ }
    if (!token || !config.heartbeatUrl) return;
    fetch(config.heartbeatUrl, {
      method: "POST",
      cache: "no-store",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: "Kiosk " + token },
      body: JSON.stringify({
        version: config.version,
        screen: screen.width + "x" + screen.height,
        online_since: state.online ? state.onlineSince.toISOString() : null,
        last_data_at: state.lastDataAt.toISOString(),
      }),
    }).catch(function () { /* offline: the admin sees the silence */ });
  }

  /* ---- service worker: offline copy and new deployments ---- */
  var registration = null;
  /* The honor board's photos are kept for offline before their slide first shows them
     (the worker keeps the ones listed and lets the others go). */
  function keepPhotos() {
    if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
    var urls = (data.honors || []).map(function (h) { return h.photo; }).filter(Boolean);
    navigator.serviceWorker.controller.postMessage({ type: "keep-images", urls: urls });
  }
  function checkForUpdate() {
    if (registration) registration.update().catch(function () { /* offline */ });
  }
  function startServiceWorker() {
    if (!("serviceWorker" in navigator)) return;
    var hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      // A new deployment took over: reload into it (the first install only claims).
      if (hadController) location.reload();
      hadController = true;
    });
    navigator.serviceWorker.register(config.serviceWorkerUrl, { scope: config.scope })
      .then(function (found) {
        registration = found;
        setInterval(checkForUpdate, UPDATE_CHECK_MS);
        return navigator.serviceWorker.ready;
      })
      .then(function (ready) {
        if (!ready.active) return;
        ready.active.postMessage({ type: "keep", urls: [location.href, config.dataUrl] });
        var urls = (data.honors || []).map(function (h) { return h.photo; }).filter(Boolean);
        ready.active.postMessage({ type: "keep-images", urls: urls });
      })
      .catch(function () { /* no offline copy this time */ });
  }

  function start() {
    takeToken();
    renderUrgent();
    try {
      if (localStorage.getItem(storageKey("offline-since")) && !navigator.onLine) markOffline();
    } catch (e) { /* private mode */ }
    tick();
    showSlide();
    setInterval(tick, 1000);
    setInterval(refresh, config.refreshSeconds * 1000);
    setInterval(heartbeat, 60 * 1000);
    document.addEventListener("pointerdown", touched, true);
    var close = $("[data-detail-close]");
    if (close) close.addEventListener("click", closeDetail);
    startServiceWorker();
    refresh();
    heartbeat();
  }

  start();
})();
