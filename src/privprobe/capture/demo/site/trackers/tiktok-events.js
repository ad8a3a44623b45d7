/*
 * A conversion pixel in the style of TikTok's (written for privprobe's demo, not TikTok's code).
 *
 * ttq.identify({phone_number, country}) turns a national number into E.164 (+82 for Korea: the
 * leading 0 dropped) and hashes it with SHA-256, as TikTok's advanced matching expects; ttq.page()
 * posts a JSON event to the events endpoint with the page URL and the hashed phone number.
 */
(function () {
  "use strict";

  var CALLING_CODES = { KR: "82", US: "1", CN: "86", JP: "81", SG: "65" };
  var pixel = { code: null, user: Promise.resolve({}) };

  function sha256(text) {
    if (!(window.crypto && crypto.subtle)) {
      return Promise.resolve(null);
    }
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.prototype.map
        .call(new Uint8Array(buffer), function (b) {
          return ("0" + b.toString(16)).slice(-2);
        })
        .join("");
    });
  }

  function toE164(phone, country) {
    var text = String(phone).trim();
    if (text.charAt(0) === "+") {
      return "+" + text.replace(/\D/g, "");
    }
    return "+" + (CALLING_CODES[country] || "") + text.replace(/\D/g, "").replace(/^0/, "");
  }

  function send(event) {
    pixel.user.then(function (user) {
      var body = {
        event: event,
        pixel_code: pixel.code,
        timestamp: new Date().toISOString(),
        context: {
          page: { url: location.href, referrer: document.referrer },
          user: user,
          user_agent: navigator.userAgent,
          locale: navigator.language,
        },
      };
      fetch("https://analytics.tiktok.com/api/v2/pixel", {
        method: "POST",
        mode: "cors",
        credentials: "include",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).catch(function () {});
    });
  }

  window.ttq = {
    load: function (code) {
      pixel.code = code;
    },
    identify: function (data) {
      var phone = data && data.phone_number ? toE164(data.phone_number, data.country || "KR") : null;
      pixel.user = phone
        ? sha256(phone).then(function (hash) {
            return hash ? { phone_number: hash } : {};
          })
        : Promise.resolve({});
    },
    page: function () {
      send("Pageview");
    },
    track: function (event) {
      send(event);
    },
  };
})();
