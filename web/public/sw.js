// Ward's service worker. It keeps the application shell (the page, its scripts, styles and
// icons) so the app opens, and says it is offline, without a network; it never keeps an API
// answer, a message or a file: /api/ is never intercepted. It shows Web Push notifications,
// which carry only how many messages of which priority wait, and opens Ward when one is
// clicked. Signing out or a remote wipe clears it with everything it kept (Clear-Site-Data).
"use strict";

const SHELL = "ward-shell-v1";

/** The shell: the page and the assets it names, read from the page itself. */
async function cacheShell() {
  const cache = await caches.open(SHELL);
  const page = await fetch("/", { cache: "no-store" });
  const html = await page.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.put("/", page);
  await cache.addAll([...new Set(assets), "/favicon.svg", "/icon-192.png", "/icon-512.png", "/manifest.webmanifest"]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return; // the network's answer, never kept
  }
  if (event.request.mode === "navigate") {
    // The page from the network when there is one; the kept shell when there is not.
    event.respondWith(fetch(event.request).catch(() => caches.match("/")));
    return;
  }
  event.respondWith(caches.match(event.request).then((kept) => kept || fetch(event.request)));
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const body = typeof data.body === "string" ? data.body : "Ward: new messages";
  event.waitUntil(
    self.registration.showNotification("Ward", {
      body,
      tag: typeof data.tag === "string" ? data.tag : "ward",
      renotify: true,
      icon: "/icon-192.png",
      data: { url: "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      return open ? open.focus() : self.clients.openWindow("/");
    }),
  );
});
