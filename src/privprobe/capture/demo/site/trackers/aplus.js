/*
 * A page-view logger in the style of Alibaba's aplus (written for privprobe's demo, not Alibaba's code).
 *
 * aplus.pageview(deviceId) sends one image request to log.mmstat.com with the device id, the page
 * URL, the referrer, the screen size and the language.
 */
(function () {
  "use strict";

  window.aplus = {
    pageview: function (deviceId) {
      var query = new URLSearchParams({
        logtype: "2",
        did: deviceId || "",
        url: location.href,
        pre: document.referrer,
        scr: screen.width + "x" + screen.height,
        lang: navigator.language,
        t: String(Date.now()),
      });
      new Image(1, 1).src = "https://log.mmstat.com/v.gif?" + query.toString();
    },
  };
})();
