"""The demo shop's site: its web application (`app`), templates, privacy policy, static files and the
small tracker scripts written for the demo, served by `privprobe.capture.demo.shop`."""
