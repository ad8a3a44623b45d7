/*
 * A tag container in the style of a tag manager (written for privprobe's demo, not any vendor's code).
 *
 * The shop's container "GTM-DEMO01" holds seven tags. It reads window.dataLayer ("user", "device",
 * "consent" and "purchase" messages) and fires each tag once per page when its trigger is met.
 * Every tag but one waits for consent to its purpose. The Meta pixel tag was set up on the trigger
 * "consent answered" instead of "consent accepted", so it fires after a refusal too: the kind of
 * misconfiguration an investigation finds in real containers.
 */
(function () {
  "use strict";

  var CONFIG = {
    ga: "G-DEMO1234",
    pixel: "1200000000000001",
    tiktok: "CDEMO0TIKTOK0PIXEL",
    naver: "s_demo0shop",
    kakao: "demo0kakao0javascript0key",
    pangleSlot: "980000001",
  };
  var dataLayer = (window.dataLayer = window.dataLayer || []);
  var state = { user: null, device: null, consent: null, purposes: [], purchase: null, fired: {} };

  function load(src, onload) {
    var script = document.createElement("script");
    script.async = true;
    script.src = src;
    if (onload) {
      script.onload = onload;
    }
    document.head.appendChild(script);
  }

  function once(name, action) {
    if (!state.fired[name]) {
      state.fired[name] = true;
      action();
    }
  }

  function allows(purpose) {
    return state.consent === "accepted" && state.purposes.indexOf(purpose) >= 0;
  }

  function gaClientId() {
    var match = document.cookie.match(/(?:^|; )_ga=GA1\.1\.([^;]*)/);
    if (match) {
      return match[1];
    }
    var id = Math.floor(Math.random() * 2147483647) + "." + Math.floor(Date.now() / 1000);
    document.cookie = "_ga=GA1.1." + id + "; Path=/; Max-Age=63072000; SameSite=Lax; Secure";
    return id;
  }

  function googleAnalytics() {
    var query = new URLSearchParams({
      v: "2",
      tid: CONFIG.ga,
      cid: gaClientId(),
      en: "page_view",
      dl: location.href,
      dr: document.referrer,
      dt: document.title,
      ul: navigator.language.toLowerCase(),
      sr: screen.width + "x" + screen.height,
    });
    navigator.sendBeacon("https://www.google-analytics.com/g/collect?" + query.toString());
  }

  function metaPixel() {
    load("https://connect.facebook.net/en_US/fbevents.js", function () {
      window.fbq("init", CONFIG.pixel, state.user ? { em: state.user.email } : {});
      window.fbq("track", "PageView");
      if (state.purchase) {
        window.fbq("track", "Purchase", { value: state.purchase.value, currency: "KRW" });
      }
    });
  }

  function tiktokPixel() {
    load("https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=" + CONFIG.tiktok, function () {
      window.ttq.load(CONFIG.tiktok);
      if (state.user) {
        window.ttq.identify({ phone_number: state.user.phone, country: "KR" });
      }
      window.ttq.page();
    });
  }

  function naverAnalytics() {
    load("https://wcs.naver.net/wcslog.js", function () {
      window.wcs_add = { wa: CONFIG.naver };
      window.wcs_do();
    });
  }

  function kakaoSdk() {
    load("https://t1.kakaocdn.net/kakao_js_sdk/2.7.2/kakao.min.js", function () {
      window.Kakao.init(CONFIG.kakao);
    });
  }

  function pangleAds() {
    load("https://api16-access-sg.pangle.io/union/web/sdk.js", function () {
      window.pangle.requestAds(CONFIG.pangleSlot, state.device || {});
    });
  }

  function alibabaAplus() {
    load("https://g.alicdn.com/alilog/mlog/aplus_v2.js", function () {
      window.aplus.pageview(state.device ? state.device.id : null);
    });
  }

  function run() {
    if (!state.consent) {
      return;
    }
    once("meta", metaPixel); // trigger: "consent answered" (the answer is not checked)
    if (allows("analytics")) {
      once("ga", googleAnalytics);
      once("naver", naverAnalytics);
      once("aplus", alibabaAplus);
    }
    if (allows("ads")) {
      once("tiktok", tiktokPixel);
      once("kakao", kakaoSdk);
      once("pangle", pangleAds);
    }
  }

  function handle(message) {
    if (!message || typeof message !== "object") {
      return;
    }
    if (message.event === "user") {
      state.user = message.user;
    } else if (message.event === "device") {
      state.device = message;
    } else if (message.event === "consent") {
      state.consent = message.value;
      state.purposes = message.purposes || [];
    } else if (message.event === "purchase") {
      state.purchase = message;
    }
    run();
  }

  dataLayer.forEach(handle);
  var push = dataLayer.push;
  dataLayer.push = function () {
    var result = push.apply(dataLayer, arguments);
    Array.prototype.forEach.call(arguments, handle);
    return result;
  };
})();
