// The driver app's service worker: keeps the app shell (the page, its scripts and styles, the
// manifest and icon) so the app opens without a connection. Pages are network-first (a new
// deployment is picked up at once, the cached page is the fallback); content-hashed files under
// assets/ are cache-first. The APIs (/admin-api, /dispatch/...) are never cached.
const CACHE = 'driver-app-shell-v1';
const SCOPE = new URL('./', self.location.href).pathname;
const SHELL = [SCOPE, `${SCOPE}manifest.webmanifest`, `${SCOPE}icon.svg`];

self.addEventListener('install', event => {
    event.waitUntil(
        caches
            .open(CACHE)
            .then(cache =>
                cache
                    .addAll(SHELL)
                    .then(() => assetsOf(cache))
                    .then(assets => cache.addAll(assets)),
            )
            .then(() => self.skipWaiting()),
    );
});

/** The page's own scripts and styles (content-hashed names that only the built page knows). */
async function assetsOf(cache) {
    const page = await cache.match(SCOPE);
    const html = page ? await page.text() : '';
    const found = html.match(new RegExp(`${SCOPE}assets/[^"'\\s>]+`, 'g')) || [];
    return [...new Set(found)];
}

self.addEventListener('activate', event => {
    event.waitUntil(
        caches
            .keys()
            .then(keys => Promise.all(keys.filter(key => key !== CACHE).map(key => caches.delete(key))))
            .then(() => self.clients.claim()),
    );
});

self.addEventListener('fetch', event => {
    const request = event.request;
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) {
        return;
    }
    if (request.mode === 'navigate') {
        event.respondWith(
            fetch(request)
                .then(response => {
                    keep(SCOPE, response);
                    return response;
                })
                .catch(() => caches.match(SCOPE).then(cached => cached || Response.error())),
        );
        return;
    }
    event.respondWith(
        caches.match(request).then(
            cached =>
                cached ||
                fetch(request).then(response => {
                    keep(request, response);
                    return response;
                }),
        ),
    );
});

/** Caches a good answer; the copy is taken at once, before the page reads the body. */
function keep(key, response) {
    if (!response.ok) return;
    const copy = response.clone();
    void caches.open(CACHE).then(cache => cache.put(key, copy));
}
