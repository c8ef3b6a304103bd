// Selling without the store's server (docs/kiosk.md). kiosk.js hands each
// sale to KioskOffline.sell(): with the server reachable it goes straight to
// the kiosk API; without it, the sale is queued in IndexedDB with its
// idempotency key, within the store's limits, and synced later in the order
// it was made, one at a time. The API answers a key it knows with the sale it
// already made, so a sale sent twice (an answer lost on the way back) is
// still one sale. A sale the server refuses on sync is kept, with the reason,
// for the attendant, who clears the list with the PIN.
"use strict";
window.KioskOffline = (() => {
  const config = JSON.parse(document.getElementById("kiosk-offline-config").textContent);
  const texts = config.texts;
  const $ = (id) => document.getElementById(id);
  const fill = (text, value) => text.replace("%s", value);

  // --- the device's store: IndexedDB ------------------------------------------
  // queue: sales not yet on the server, by seq (the order they were made);
  // refused: sales the server refused on sync, by idempotency key.

  let opened = null;

  function database() {
    opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open("pitstop-kiosk", 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        request.result.createObjectStore("refused", { keyPath: "key" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opened;
  }

  // Runs work(transaction), which only issues requests, and waits for the
  // commit; returns what work returned (a request's .result is read after).
  async function transact(stores, mode, work) {
    const transaction = (await database()).transaction(stores, mode);
    const result = work(transaction);
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
    return result;
  }

  async function all(store) {
    return (await transact([store], "readonly", (t) => t.objectStore(store).getAll())).result;
  }

  async function first() {
    const found = await transact(["queue"], "readonly", (t) =>
      t.objectStore("queue").getAll(null, 1),
    );
    return found.result[0];
  }

  function settled(entry) {
    return transact(["queue"], "readwrite", (t) => t.objectStore("queue").delete(entry.seq));
  }

  function refuse(entry, status, answer) {
    return transact(["queue", "refused"], "readwrite", (t) => {
      t.objectStore("queue").delete(entry.seq);
      t.objectStore("refused").put({
        key: entry.key,
        seq: entry.seq,
        at: entry.at,
        shown: entry.shown,
        error: answer.error || String(status),
        message: answer.message || "",
      });
    });
  }

  // --- talking to the server --------------------------------------------------

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
  }

  // The server's verdict on the sale itself (bad input, no stock, price
  // changed, attendant needed...), as opposed to "try again later": a server
  // error, a lapsed login, a rate limit.
  function refusal(status) {
    return status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
  }

  // --- selling ----------------------------------------------------------------

  async function limitReached() {
    const queued = await all("queue");
    if (queued.length >= config.max_sales) return true;
    const since = queued.length ? Date.now() - Date.parse(queued[0].at) : 0;
    return since > config.max_minutes * 60_000;
  }

  // send() posts the sale; body is what it posts, shown what the customer saw
  // ({lines: [{name, qty, line_total}], total}). Resolves to {answer} (the
  // server answered), {queued: entry} (kept on the device) or {limit: true}
  // (not sold: the kiosk has been offline too long).
  async function sell(body, shown, send) {
    // Sales already queued go first: the stock they took is taken in order.
    if ((await all("queue")).length) await sync();
    if (!(await all("queue")).length) {
      let answer = null;
      try {
        answer = await send();
      } catch {
        // No network, or no server: queued below.
      }
      if (answer && answer.status < 500) return { answer };
    }
    if (await limitReached()) {
      await show();
      return { limit: true };
    }
    const entry = { key: body.idempotency_key, body, shown, at: new Date().toISOString() };
    entry.seq = (await transact(["queue"], "readwrite", (t) => t.objectStore("queue").add(entry))).result;
    await show();
    return { queued: entry };
  }

  // The number on an offline receipt and in the attendant's list.
  function code(entry) {
    return entry.key.slice(-6).toUpperCase();
  }

  // --- syncing ----------------------------------------------------------------

  let syncing = null;

  function sync() {
    syncing ??= withLock(drain).finally(() => {
      syncing = null;
    });
    return syncing;
  }

  // One page at a time syncs (another tab of the kiosk waits its turn; the
  // idempotency keys would keep it right anyway).
  function withLock(work) {
    if (!navigator.locks) return work();
    return navigator.locks.request("pitstop-kiosk-sync", work);
  }

  async function drain() {
    let moved = 0;
    for (let entry = await first(); entry; entry = await first()) {
      let answer;
      try {
        answer = await post(config.sales, entry.body);
      } catch {
        break; // still offline: the next try starts from this sale
      }
      if (answer.ok) {
        await settled(entry);
      } else if (refusal(answer.status)) {
        await refuse(entry, answer.status, await answer.json().catch(() => ({})));
      } else {
        break;
      }
      moved += 1;
    }
    await show();
    if (moved) await heartbeat();
  }

  async function heartbeat() {
    const queued = await all("queue");
    try {
      await post(config.heartbeat, {
        queued: queued.length,
        oldest: queued.length ? queued[0].at : null,
      });
    } catch {
      // Offline: the next one tells.
    }
  }

  // --- what the customer and the attendant see --------------------------------

  function money(decimal) {
    return window.KioskMoney.money(window.KioskMoney.cents(decimal));
  }

  async function show() {
    const queued = (await all("queue")).length;
    const status = $("offline-status");
    const limit = queued > 0 && (await limitReached());
    status.textContent = limit ? texts.limit : fill(texts.queued, queued);
    status.classList.toggle("limit", limit);
    status.hidden = queued === 0;

    const refused = (await all("refused")).sort((a, b) => a.seq - b.seq);
    $("refused-count").textContent = fill(texts.refused, refused.length);
    $("refused-bar").hidden = refused.length === 0;
    $("refused-list").replaceChildren(
      ...refused.map((sale) => {
        const li = document.createElement("li");
        const title = document.createElement("strong");
        title.textContent = `${fill(texts.sale, code(sale))} · ${new Date(sale.at).toLocaleString(document.documentElement.lang)} · ${money(sale.shown.total)}`;
        const items = document.createElement("div");
        items.textContent = sale.shown.lines
          .map((line) => `${line.qty} × ${line.name}`)
          .join(", ");
        const why = document.createElement("div");
        why.className = "why";
        why.textContent = sale.message || sale.error;
        li.append(title, items, why);
        return li;
      }),
    );
    if (!refused.length) $("refused").hidden = true;
  }

  $("refused-open").addEventListener("click", () => {
    $("refused-pin").value = "";
    $("refused-error").hidden = true;
    $("refused").hidden = false;
    $("refused-pin").focus();
  });
  $("refused-close").addEventListener("click", () => {
    $("refused").hidden = true;
    $("scan").focus();
  });

  async function clearRefused() {
    const error = $("refused-error");
    let answer = null;
    try {
      answer = await post(config.attendant, { pin: $("refused-pin").value });
    } catch {
      // said below
    }
    if (!answer || answer.status !== 204) {
      error.textContent = answer ? texts.bad_pin : texts.no_server;
      error.hidden = false;
      $("refused-pin").value = "";
      $("refused-pin").focus();
      return;
    }
    await transact(["refused"], "readwrite", (t) => t.objectStore("refused").clear());
    await show();
    $("scan").focus();
  }

  $("refused-clear").addEventListener("click", clearRefused);
  $("refused-pin").addEventListener("keydown", (event) => {
    if (event.key === "Enter") clearRefused();
  });

  // --- start ------------------------------------------------------------------

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.worker).catch(() => {
      // No worker (an insecure origin): the page sells offline while it stays open.
    });
  }
  window.addEventListener("online", () => sync());
  setInterval(() => sync(), config.sync_every * 1000);
  setInterval(() => heartbeat(), config.heartbeat_every * 1000);
  show();
  sync().then(heartbeat);

  return { sell, code, catalogueRefresh: config.catalogue_refresh, texts };
})();
