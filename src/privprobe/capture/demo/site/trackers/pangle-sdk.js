/*
 * A web ad SDK in the style of a Chinese ad network (written for privprobe's demo, not any vendor's code).
 *
 * pangle.requestAds(slot, device) posts a JSON ad request with the shop's device id, the browser's
 * language, time zone and screen, and a coarse location (two decimals, about 1 km) under "geo".
 */
(function () {
  "use strict";

  window.pangle = {
    requestAds: function (slot, device) {
      var body = {
        slot_id: slot,
        site: location.hostname,
        page: location.href,
        device: {
          did: device.id || null,
          ua: navigator.userAgent,
          language: navigator.language,
          timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          screen: { w: screen.width, h: screen.height },
        },
        geo: { ll: device.geo || null, country: "KR", city: "Seoul" },
      };
      fetch("https://api16-access-sg.pangle.io/api/ad/union/sdk/get_ads/", {
        method: "POST",
        mode: "cors",
        credentials: "include",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).catch(function () {});
    },
  };
})();
