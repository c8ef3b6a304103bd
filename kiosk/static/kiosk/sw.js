// The kiosk's service worker, served as /kiosk/sw.js by kiosk/pwa.py, which
// puts `self.KIOSK = {version, page, catalogue, shell}` before this text.
// It keeps the app shell (the page and its static files) and the last
// catalogue, so that a kiosk whose server is out of reach still opens and
// sells (offline.js queues the sales). Only GETs are answered here: a sale
// always goes to the network, and offline.js decides what to do when it fails.
"use strict";
const CACHE = `kiosk-${self.KIOSK.version}`;
// A server that hangs is as good as down: the cached copy after this long.
const TIMEOUT_MS = 4000;
const shell = new Set(self.KIOSK.shell.map((path) => new URL(path, self.location).href));

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Past the HTTP cache: the files of this release, not an hour-old copy.
      await cache.addAll([...shell].map((url) => new Request(url, { cache: "reload" })));
      for (const path of [self.KIOSK.page, self.KIOSK.catalogue]) {
        try {
          await keep(cache, path, await fetch(path, { cache: "no-store" }));
        } catch {
          // Offline while installing: the page's next visit fills it.
        }
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("kiosk-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === self.KIOSK.page) {
    event.respondWith(networkFirst(request, self.KIOSK.page));
  } else if (url.pathname === self.KIOSK.catalogue) {
    event.respondWith(networkFirst(request, self.KIOSK.catalogue));
  } else if (shell.has(url.href)) {
    event.respondWith(cacheFirst(request));
  }
});

function keep(cache, key, response) {
  // Only the kiosk's own answers: never the login page that a lapsed
  // session is redirected to, nor an error.
  if (response.ok && !response.redirected && response.type === "basic") {
    return cache.put(key, response.clone());
  }
  return undefined;
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(request, { signal: abort.signal });
  } catch {
    response = null; // no network, or the server does not answer
  } finally {
    clearTimeout(timer);
  }
  if (response && response.status < 500) {
    await keep(cache, key, response);
    return response;
  }
  // Down (or a proxy's 502/503/504 for a server that is): the last copy.
  const cached = await cache.match(key, { ignoreVary: true });
  return cached || response || Response.error();
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  await keep(cache, request, response);
  return response;
}
