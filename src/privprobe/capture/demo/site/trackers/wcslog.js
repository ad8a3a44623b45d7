/*
 * A web-analytics logger in the style of Naver's wcslog (written for privprobe's demo, not Naver's code).
 *
 * The page sets window.wcs_add = {wa: accountId} and calls wcs_do(): one image request to
 * wcs.naver.net with the account, the page URL, the referrer, the screen and the language.
 */
(function () {
  "use strict";

  window.wcs_do = function () {
    var account = (window.wcs_add && window.wcs_add.wa) || "";
    var query = new URLSearchParams({
      wa: account,
      u: location.href,
      r: document.referrer,
      sr: screen.width + "x" + screen.height,
      ln: navigator.language,
      t: String(Date.now()),
    });
    new Image(1, 1).src = "https://wcs.naver.net/b?" + query.toString();
  };
})();
