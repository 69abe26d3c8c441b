/*! Leadloop first-party tracking snippet. No dependencies, ES2017.
 * <script src="https://YOUR-LEADLOOP/t.js" data-key="INGEST_KEY" async></script>
 * Optional: data-consent-required (wait for leadloop('consent', true)).
 * Forms: every form is captured on submit (id: data-leadloop-form, else its id/name, else the path);
 * passwords, card, hidden and secret-looking fields never leave the page; data-leadloop-ignore on a
 * form or a field opts it out.
 * API: leadloop.identify(email, traits), leadloop.track(event, properties), leadloop.page(),
 *      leadloop('consent', true|false), or per purpose leadloop.consent({ tracking: false, email_marketing: true })
 *      (tracking drives the snippet; the other purposes are recorded on the person); calls made before the
 *      script loads are queued by a stub:
 *      window.leadloop = window.leadloop || function () { (leadloop.q = leadloop.q || []).push(arguments); };
 */
(function () {
  'use strict';
  var w = window, d = document, n = navigator;
  var script = d.currentScript || d.querySelector('script[data-key][src*="/t.js"]');
  if (!script || (w.leadloop && w.leadloop.loaded)) return;
  var key = script.getAttribute('data-key') || '';
  var origin = new URL(script.src, location.href).origin; // events go back where the snippet came from
  var COOKIE = 'll_aid', UTM = 'll_utm', DOWNLOAD = /\.(pdf|docx?|xlsx?|pptx?|zip|epub|csv|key|odt)([?#]|$)/i;
  // Do Not Track and Global Privacy Control win over everything, consent included.
  var blocked = n.doNotTrack === '1' || w.doNotTrack === '1' || n.msDoNotTrack === '1' || n.globalPrivacyControl === true;
  // A refusal (leadloop('consent', false) or a refused consent_tracking box) lasts across pages: ll_optout.
  var consent = readCookie('ll_optout') === '1' ? false : script.hasAttribute('data-consent-required') ? null : true; // null: waiting for a decision
  var queue = [], waiting = [], timer = 0, aid = null, lastUrl = location.href, lastReferrer = d.referrer;

  function uuid() {
    if (w.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  function readCookie(name) {
    var m = d.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function writeCookie(name, value, days) {
    d.cookie = name + '=' + encodeURIComponent(value) + '; path=/; max-age=' + days * 86400 + '; samesite=lax' + (location.protocol === 'https:' ? '; secure' : '');
  }
  function anonymousId() {
    if (!aid) { aid = readCookie(COOKIE) || uuid(); writeCookie(COOKIE, aid, 395); }
    return aid;
  }
  // UTM tags of the landing page last for the visit (sessionStorage), so later events keep them.
  function campaign() {
    var p = new URLSearchParams(location.search), c = {}, found = false;
    ['source', 'medium', 'campaign', 'term', 'content'].forEach(function (k) {
      var v = p.get('utm_' + k); if (v) { c[k === 'campaign' ? 'name' : k] = v; found = true; }
    });
    try {
      if (found) sessionStorage.setItem(UTM, JSON.stringify(c));
      else c = JSON.parse(sessionStorage.getItem(UTM) || 'null');
    } catch (storageDisabled) { void storageDisabled; /* use this page's tags only */ }
    return found ? c : c || undefined;
  }
  function message(type, fields) {
    var m = {
      type: type, messageId: uuid(), anonymousId: anonymousId(), timestamp: new Date().toISOString(),
      context: {
        page: { url: location.href, path: location.pathname, title: d.title, referrer: lastReferrer || undefined },
        campaign: campaign(), userAgent: n.userAgent, library: { name: 'leadloop.js', version: '1' },
      },
    };
    for (var k in fields) m[k] = fields[k];
    return m;
  }
  function allowed() { return !blocked && consent === true; }
  function post(path, body, urgent) {
    // text/plain keeps this a "simple" cross-origin request (no preflight); keepalive survives unload.
    return fetch(origin + path + (path.indexOf('?') < 0 ? '?' : '&') + 'key=' + encodeURIComponent(key), {
      method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'text/plain' }, keepalive: !!urgent, credentials: 'omit', mode: 'cors',
    }).catch(function () { /* the next page view retries nothing: tracking never breaks the page */ });
  }
  function flush(urgent) {
    clearTimeout(timer); timer = 0;
    if (!queue.length) return;
    var batch = queue.splice(0, queue.length);
    post('/v1/batch', { batch: batch, sentAt: new Date().toISOString() }, urgent);
  }
  function enqueue(type, fields, urgent) {
    if (blocked || consent === false) return;
    if (consent === null) { waiting.push([type, fields, urgent]); return; }
    queue.push(message(type, fields));
    if (urgent) flush(true); else if (!timer) timer = setTimeout(flush, 50);
  }
  function page() { enqueue('page', { properties: { url: location.href, path: location.pathname, title: d.title, referrer: lastReferrer || undefined } }); }

  var api = function (method) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (method === 'consent') return setConsent(args[0]);
    if (typeof api[method] === 'function') return api[method].apply(null, args);
  };
  function setConsent(granted) {
    // Consent mode per purpose: { tracking, email_marketing, sales_email, sales_call }.
    if (granted && typeof granted === 'object') {
      var purposes = {}, any = false;
      for (var p in granted) if (p !== 'tracking' && Object.prototype.hasOwnProperty.call(granted, p)) { purposes[p] = !!granted[p]; any = true; }
      if (Object.prototype.hasOwnProperty.call(granted, 'tracking')) setConsent(!!granted.tracking);
      if (any && allowed()) enqueue('identify', { traits: { consent: purposes } }, true);
      return;
    }
    consent = !!granted;
    var held = waiting.splice(0, waiting.length);
    writeCookie('ll_optout', consent ? '' : '1', consent ? -1 : 395);
    if (!consent) { queue.length = 0; aid = null; writeCookie(COOKIE, '', -1); return; }
    held.forEach(function (h) { enqueue(h[0], h[1], h[2]); });
  }
  api.loaded = true;
  api.consent = setConsent;
  api.identify = function (email, traits) {
    var t = {}; for (var k in traits || {}) t[k] = traits[k];
    if (email) t.email = email;
    enqueue('identify', { traits: t }, true);
  };
  api.track = function (event, properties) { enqueue('track', { event: String(event), properties: properties || {} }); };
  api.page = page;
  api.anonymousId = function () { return allowed() ? anonymousId() : null; };
  api.flush = function () { flush(true); };

  // Single-page apps: every history change to a new URL is a page view.
  function navigated() {
    if (location.href === lastUrl) return;
    lastReferrer = lastUrl; lastUrl = location.href; page();
  }
  ['pushState', 'replaceState'].forEach(function (name) {
    var original = history[name];
    history[name] = function () { var r = original.apply(this, arguments); navigated(); return r; };
  });
  w.addEventListener('popstate', navigated);

  // Content asset links (data-leadloop-content, or a document file) are downloads.
  d.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a[href]') : null;
    if (!a) return;
    var id = a.getAttribute('data-leadloop-content');
    if (id === null && !DOWNLOAD.test(a.href)) return;
    var props = { url: a.href, title: (a.textContent || '').trim().slice(0, 200) };
    if (id) props.content_id = id;
    enqueue('track', { event: 'Content Downloaded', properties: props }, true);
  }, true);

  // Every ordinary form is captured (its fields go to the form endpoint), unless it or the field says
  // data-leadloop-ignore. Never sent: passwords, card fields, hidden fields, anything that looks secret.
  var SECRET = /pass(word)?|pwd|secret|token|csrf|xsrf|nonce|captcha|card|cvv|cvc|csc|cc.?(num|exp)|iban|ssn|social.?security/i;
  var SKIP_TYPES = { password: 1, hidden: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };
  function formIdOf(form) {
    var raw = form.getAttribute('data-leadloop-form') || form.getAttribute('id') || form.getAttribute('name') || location.pathname.replace(/^\/+|\/+$/g, '') || 'home';
    return String(raw).replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'form';
  }
  function capturable(form) {
    if (!form || !form.elements || form.hasAttribute('data-leadloop-ignore') || form.getAttribute('role') === 'search') return false;
    // A form posting straight to the form endpoint is recorded there; sending it too would count it twice.
    try { return new URL(form.getAttribute('action') || '', location.href).pathname.indexOf('/api/v1/forms/') !== 0; } catch (badAction) { void badAction; return true; }
  }
  function fieldValue(el) {
    var type = (el.type || '').toLowerCase(), name = el.name || el.id;
    if (!name || el.disabled || SKIP_TYPES[type] || type === 'search' || el.hasAttribute('data-leadloop-ignore')) return undefined;
    if (SECRET.test(name) || /^cc-|password/.test(el.getAttribute('autocomplete') || '')) return undefined;
    if ((type === 'checkbox' || type === 'radio') && !el.checked) return undefined;
    return el.multiple && el.options ? Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; }) : el.value;
  }
  d.addEventListener('submit', function (e) {
    var form = e.target;
    if (!capturable(form) || !allowed()) return;
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name || el.id;
      // An unchecked consent box is a refusal the server must hear (a plain form sends nothing for it).
      if ((el.type || '').toLowerCase() === 'checkbox' && !el.checked && !el.disabled && /^consent([_.-]|$)/i.test(name || '') && fields[name] === undefined) { fields[name] = 'no'; return; }
      var value = fieldValue(el);
      if (value === undefined) return;
      if (fields[name] === 'no' && /^consent/i.test(name)) fields[name] = undefined;
      fields[name] = fields[name] !== undefined && el.type === 'checkbox' ? [].concat(fields[name], value) : value;
    });
    // The person's email, whatever the site named its field (work_email, Email...).
    var emailInput = form.querySelector('input[type="email"]:not([data-leadloop-ignore])');
    if (fields.email === undefined && emailInput && emailInput.value) fields.email = emailInput.value;
    var c = campaign() || {};
    fields._anonymous_id = anonymousId(); fields._page_url = location.href; fields._message_id = uuid();
    if (lastReferrer) fields._referrer = lastReferrer;
    if (c.source) { fields.utm_source = c.source; fields.utm_medium = c.medium; fields.utm_campaign = c.name; fields.utm_term = c.term; fields.utm_content = c.content; }
    flush(true);
    post('/api/v1/forms/' + encodeURIComponent(formIdOf(form)) + '/submissions', fields, true);
    // Tracking refused on the form: this page stops tracking now (the server also stops profiling the person).
    if (/^(no|false|off|0)$/i.test(String(fields.consent_tracking || ''))) setConsent(false);
  }, true);
  w.addEventListener('pagehide', function () { flush(true); });

  var stub = w.leadloop, pending = (stub && stub.q) || [];
  w.leadloop = api;
  page();
  pending.forEach(function (args) { api.apply(null, args); });
})();
