// Trackside's first-party snippet. Served by Trackside (comment lines and indentation are
// stripped when served; the build checks the result is <= 1.5 KB gzipped). No dependencies.
// <script defer src="/<path>.js" data-key="WRITE_KEY"></script>
// Optional attributes: data-api (collect URL), data-pv (the page view id a server-side filter
// already used, so this page view is the same event), data-aid (the site's own first-party
// visitor id, so browser and server events share it), data-dnt="1" (honour DNT/GPC).
// API: trackside('track', name, props) · ('page', props) · ('identify', userId, traits) ·
// ('consent', true|false) — true keeps a first-party id (localStorage), false forgets it.
!function(w, d) {
  var s = d.currentScript, a = s.dataset, L = location, N = navigator, S = w.localStorage;
  var api = a.api || s.src.replace(/\.js(\?.*)?$/, '/c'), key = a.key, out = [], busy = 0, wait = 1e3;
  if (a.dnt && (N.doNotTrack == '1' || N.globalPrivacyControl)) return;
  var uid, id = a.aid || S && S.getItem('ts_id'), pv = a.pv, last, depth, shown = Date.now(), engaged = 0;
  // randomUUID needs a secure context; elsewhere time + randomness is unique enough for an id.
  function uuid() {
    return w.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function send(e) {
    e.messageId = e.messageId || uuid();
    e.timestamp = new Date().toISOString();
    var c = e.context = e.context || {};
    // The server derives path, query and campaign from the URL.
    c.page = {url: L.href, title: d.title, referrer: d.referrer};
    c.locale = N.language;
    if (id) e.anonymousId = id; else c.trackside = {cookieless: true};
    if (uid) e.userId = uid;
    out.push(e);
    flush();
  }
  // While the page is shown: fetch, whose answer says whether the server stored the events (what
  // it did not is sent again). Once the page is hidden or closing: sendBeacon, which the browser
  // delivers after the page is gone (its answer is never known), else fetch with keepalive.
  function flush() {
    if (busy && !d.hidden || !out.length) return;
    var batch = out.splice(0, 50), body = JSON.stringify({writeKey: key, sentAt: new Date().toISOString(), batch: batch});
    if (d.hidden && N.sendBeacon && N.sendBeacon(api, body)) return flush();
    busy = 1;
    fetch(api, {method: 'POST', body: body, keepalive: true})
      .then(function(r) { if (r.status > 499 || r.status == 429) throw 0; busy = 0; wait = 1e3; flush(); })
      .catch(function() {
        // Not stored: the same events (same messageIds) again later, so the server keeps one copy.
        out = batch.concat(out); setTimeout(function() { busy = 0; flush(); }, wait = Math.min(wait * 2, 6e4));
      });
  }
  function track(name, p) { send({type: 'track', event: name, properties: p || {}}); }
  function page(p) {
    if (last == L.pathname + L.search) return;
    last = L.pathname + L.search; depth = 0;
    send({type: 'page', properties: p || {}, messageId: pv});
    pv = 0;
  }
  function engage() {
    if (d.hidden) {
      engaged += Date.now() - shown;
      if (engaged > 999) track('Page Engaged', {engaged_ms: engaged});
      engaged = 0; flush();
    } else shown = Date.now();
  }
  var A = {
    track: track, page: function(p) { last = 0; page(p); },
    identify: function(u, t) { uid = u; send({type: 'identify', traits: t || {}}); },
    consent: function(yes) {
      id = yes ? id || uuid() : 0;
      if (S) yes ? S.setItem('ts_id', id) : S.removeItem('ts_id');
    }
  };
  var q = w.trackside && w.trackside.q || [];
  w.trackside = function(m) { A[m] && A[m].apply(0, [].slice.call(arguments, 1)); };
  q.forEach(function(c) { w.trackside.apply(0, c); });
  ['pushState', 'replaceState'].forEach(function(m) {
    var o = history[m];
    history[m] = function() { var r = o.apply(this, arguments); page(); return r; };
  });
  w.addEventListener('popstate', function() { page(); });
  d.addEventListener('click', function(e) {
    var l = e.target.closest && e.target.closest('a[href]');
    if (!l) return;
    if (/\.(pdf|zip|docx?|xlsx?|pptx?|csv|txt|dmg|exe|mp[34]|gz)$/i.test(l.pathname)) track('File Downloaded', {url: l.href});
    else if (l.host != L.host && /^http/.test(l.protocol)) track('Outbound Link Clicked', {url: l.href});
  }, true);
  d.addEventListener('submit', function(e) {
    var f = e.target;
    // Never the fields' values: only which form.
    track('Form Submitted', {form_id: f.id, form_name: f.getAttribute('name'), action: f.action});
  }, true);
  w.addEventListener('scroll', function() {
    var h = d.documentElement, p = (h.scrollTop + innerHeight) / h.scrollHeight * 100;
    while (depth < 4 && p >= (depth + 1) * 25) track('Scrolled', {percent: ++depth * 25});
  }, {passive: true});
  d.addEventListener('visibilitychange', engage);
  page();
}(window, document);
