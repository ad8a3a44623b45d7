/*
 * A JavaScript SDK in the style of Kakao's (written for privprobe's demo, not Kakao's code).
 *
 * Kakao.init(appKey) only records the key: loading the SDK is the contact (the request carries the
 * page as its Referer). Sharing and login would call Kakao's APIs; the demo shop uses neither.
 */
(function () {
  "use strict";

  var appKey = null;
  window.Kakao = {
    VERSION: "2.7.2-demo",
    init: function (key) {
      appKey = key;
    },
    isInitialized: function () {
      return appKey !== null;
    },
  };
})();
