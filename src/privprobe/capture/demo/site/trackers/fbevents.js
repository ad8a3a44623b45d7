/*
 * An advertising pixel in the style of Meta's (written for privprobe's demo, not Meta's code).
 *
 * fbq("init", pixelId, {em: "..."}) keeps "advanced matching" data: the e-mail address is trimmed,
 * lower-cased and hashed with SHA-256 in the page, as Meta's documentation asks advertisers to do.
 * fbq("track", event) sends an image request to www.facebook.com/tr/ with the page URL, the
 * first-party _fbp cookie and the hashed e-mail as "em".
 */
(function () {
  "use strict";

  var pixels = [];

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function sha256(text) {
    if (!(window.crypto && crypto.subtle)) {
      return Promise.resolve(null);
    }
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(hex);
  }

  function browserId() {
    var match = document.cookie.match(/(?:^|; )_fbp=([^;]*)/);
    if (match) {
      return match[1];
    }
    var id = "fb.1." + Date.now() + "." + Math.floor(Math.random() * 2147483647);
    document.cookie = "_fbp=" + id + "; Path=/; Max-Age=7776000; SameSite=Lax; Secure";
    return id;
  }

  function init(id, matching) {
    var email = matching && matching.em ? String(matching.em).trim().toLowerCase() : "";
    pixels.push({ id: id, em: email ? sha256(email) : Promise.resolve(null) });
  }

  function track(event, data) {
    pixels.forEach(function (pixel) {
      pixel.em.then(function (em) {
        var query = new URLSearchParams({
          id: pixel.id,
          ev: event,
          dl: location.href,
          rl: document.referrer,
          if: "false",
          ts: String(Date.now()),
          fbp: browserId(),
        });
        if (em) {
          query.set("em", em);
        }
        for (var key in data || {}) {
          query.set("cd[" + key + "]", String(data[key]));
        }
        new Image(1, 1).src = "https://www.facebook.com/tr/?" + query.toString();
      });
    });
  }

  window.fbq = function (command) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (command === "init") {
      init.apply(null, args);
    } else if (command === "track") {
      track.apply(null, args);
    }
  };
})();
