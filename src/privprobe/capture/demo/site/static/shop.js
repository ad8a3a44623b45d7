/*
 * Demo Shop front end (www.shop.example), written for privprobe's demo.
 *
 * It does what a cross-border shopping site's own script typically does, including what it should not:
 * - keeps a device id in localStorage ("shop_did"), issued by the shop's device registry (the
 *   data-device-id attribute on <html>) or made up on the spot;
 * - logs every page view to the shop's own log host, with the device id, the page URL and, once the
 *   visitor has logged in, the e-mail address hashed with SHA-256 as a "user id";
 * - carries a bundled Alibaba-style logger that reports page views to log.mmstat.com before any
 *   consent, and that "syncs the profile" (the phone number, in clear) as soon as the visitor has
 *   answered the banner, whatever the answer;
 * - runs the consent banner and tells the tag container (gtm.js) the answer through window.dataLayer.
 */
(function () {
  "use strict";

  var LOG_URL = "https://log.shop.example/v1/event";
  var MMSTAT = "https://log.mmstat.com";
  var root = document.documentElement;
  var dataLayer = (window.dataLayer = window.dataLayer || []);

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function writeCookie(name, value) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = name + "=" + encodeURIComponent(value) + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }

  function randomUuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = (Math.random() * 16) | 0;
      return (c === "x" ? r : (r & 3) | 8).toString(16);
    });
  }

  function deviceId() {
    var id = null;
    try {
      id = localStorage.getItem("shop_did");
      if (!id) {
        id = root.getAttribute("data-device-id") || randomUuid();
        localStorage.setItem("shop_did", id);
      }
    } catch (e) {
      id = root.getAttribute("data-device-id") || randomUuid();
    }
    return id;
  }

  function sha256Hex(text) {
    if (!(window.crypto && crypto.subtle)) {
      return Promise.resolve(null);
    }
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (digest) {
      return Array.prototype.map
        .call(new Uint8Array(digest), function (b) {
          return ("0" + b.toString(16)).slice(-2);
        })
        .join("");
    });
  }

  function currentUser() {
    for (var i = 0; i < dataLayer.length; i++) {
      if (dataLayer[i] && dataLayer[i].event === "user") {
        return dataLayer[i].user;
      }
    }
    return null;
  }

  var did = deviceId();

  // First-party event log: a text/plain beacon, so no CORS preflight.
  function logEvent(name, extra) {
    var user = currentUser();
    var uid = user ? sha256Hex(user.email.trim().toLowerCase()) : Promise.resolve(null);
    uid.then(function (hash) {
      var body = { did: did, event: name, url: location.href, ref: document.referrer, ts: Date.now() };
      body.consent = readCookie("consent");
      if (hash) {
        body.uid = hash;
      }
      for (var key in extra || {}) {
        body[key] = extra[key];
      }
      navigator.sendBeacon(LOG_URL, JSON.stringify(body));
    });
  }

  // Bundled Alibaba-style logger: page views go out before any consent.
  function mmstatPageView() {
    var query = new URLSearchParams({
      logtype: "1",
      did: did,
      url: location.href,
      title: document.title,
      lang: navigator.language,
      t: String(Date.now()),
    });
    new Image(1, 1).src = MMSTAT + "/v.gif?" + query.toString();
  }

  // The logger's "profile sync" runs once the banner was answered; it never looks at the answer.
  function mmstatProfileSync() {
    var user = currentUser();
    if (!user || !readCookie("consent")) {
      return;
    }
    fetch(MMSTAT + "/aplus/sync", {
      method: "POST",
      mode: "cors",
      credentials: "include",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ did: did, phone: user.phone, url: location.href, ts: Date.now() }),
    }).catch(function () {});
  }

  function purposesOf(value) {
    var saved = readCookie("consent_purposes");
    if (saved !== null) {
      return saved ? saved.split(".") : [];
    }
    return value === "accepted" ? ["analytics", "ads"] : [];
  }

  function answer(value, purposes) {
    writeCookie("consent", value);
    writeCookie("consent_purposes", purposes.join("."));
    var banner = document.getElementById("consent-banner");
    if (banner) {
      banner.hidden = true;
    }
    dataLayer.push({ event: "consent", value: value, purposes: purposes });
    logEvent("consent", { choice: value, purposes: purposes });
    mmstatProfileSync();
  }

  function checked(id) {
    var box = document.getElementById(id);
    return box && box.checked ? [box.value] : [];
  }

  function wireBanner() {
    var on = function (id, action) {
      var element = document.getElementById(id);
      if (element) {
        element.addEventListener("click", action);
      }
    };
    on("consent-accept-all", function () {
      answer("accepted", ["analytics", "ads"]);
    });
    on("consent-reject", function () {
      answer("refused", []);
    });
    on("consent-reject-all", function () {
      answer("refused", []);
    });
    on("consent-settings", function () {
      document.getElementById("consent-first").hidden = true;
      document.getElementById("consent-second").hidden = false;
    });
    on("consent-save", function () {
      var purposes = checked("consent-purpose-analytics").concat(checked("consent-purpose-ads"));
      answer(purposes.length ? "accepted" : "refused", purposes);
    });
    // The English caption under a button acts as the button.
    document.querySelectorAll(".consent [data-for]").forEach(function (caption) {
      caption.addEventListener("click", function () {
        document.getElementById(caption.getAttribute("data-for")).click();
      });
    });
  }

  function start() {
    dataLayer.push({ event: "device", id: did, geo: root.getAttribute("data-geo") });
    var consent = readCookie("consent");
    var banner = document.getElementById("consent-banner");
    if (consent) {
      if (banner) {
        banner.hidden = true;
      }
      dataLayer.push({ event: "consent", value: consent, purposes: purposesOf(consent) });
      mmstatProfileSync();
    } else if (banner) {
      banner.hidden = false;
    }
    wireBanner();
    logEvent("page_view", { title: document.title });
    mmstatPageView();
    var add = document.getElementById("add-to-cart");
    if (add) {
      add.addEventListener("click", function () {
        logEvent("add_to_cart", { product: add.form.product.value });
      });
    }
  }

  start();
})();
