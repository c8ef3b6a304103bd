// The self-checkout page. The catalogue comes from /kiosk/catalogue/; the sale
// goes to the kiosk API (POST /api/sales/) with a key made here, so a retried
// request never sells twice. Money is counted in cents (money.js).
"use strict";
(() => {
  const config = JSON.parse(document.getElementById("kiosk-config").textContent);
  const texts = config.texts;
  const $ = (id) => document.getElementById(id);
  const scan = $("scan");
  const { cents, money } = window.KioskMoney;

  let byCode = new Map(); // barcode or SKU (upper case) -> product
  let products = [];
  let cart = newCart();

  function newCart() {
    // lines: sku -> {product, qty}, in scan order; pin: the attendant's, once given
    return { lines: new Map(), key: newKey(), pin: "" };
  }

  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return "kiosk-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function fill(text, value) {
    return text.replace("%s", value);
  }

  function say(text) {
    const message = $("message");
    message.textContent = text;
    message.hidden = !text;
  }

  function button(label, onClick, className = "") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    b.addEventListener("click", () => {
      onClick();
      scan.focus();
    });
    return b;
  }

  async function loadCatalogue() {
    const answer = await fetch(config.catalogue, { credentials: "same-origin" });
    if (!answer.ok) throw new Error(answer.status);
    products = (await answer.json()).products;
    byCode = new Map();
    for (const p of products) {
      byCode.set(p.sku.toUpperCase(), p);
      if (p.barcode) byCode.set(p.barcode, p);
    }
  }

  // --- the cart ---------------------------------------------------------------

  let waiting = null; // the product the attendant must unlock

  function add(product) {
    // Never clears #scan: a scan waiting for the catalogue lands here while a
    // wedge scanner may already be typing the next code into it.
    say("");
    $("results").replaceChildren();
    if (product.sellable === false) {
      // A perishable with no units in date: expired goods are never sold.
      say(fill(texts.unsellable, product.name));
      return;
    }
    if (product.attendant && !cart.pin) {
      askAttendant(product);
      return;
    }
    const line = cart.lines.get(product.sku);
    if (line) line.qty += 1;
    else cart.lines.set(product.sku, { product, qty: 1 });
    render();
  }

  function change(sku, delta) {
    const line = cart.lines.get(sku);
    line.qty += delta;
    if (line.qty <= 0) cart.lines.delete(sku);
    render();
  }

  function render() {
    const list = $("cart");
    list.replaceChildren();
    let total = 0;
    for (const [sku, { product, qty }] of cart.lines) {
      const lineTotal = cents(product.price) * qty;
      total += lineTotal;
      const li = document.createElement("li");
      li.dataset.sku = sku;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = product.name;
      const count = document.createElement("span");
      count.className = "qty";
      count.textContent = qty;
      const amount = document.createElement("span");
      amount.className = "amount";
      amount.textContent = money(lineTotal);
      const less = button("−", () => change(sku, -1));
      less.setAttribute("aria-label", `${texts.less}: ${product.name}`);
      const more = button("+", () => change(sku, 1));
      more.setAttribute("aria-label", `${texts.more}: ${product.name}`);
      const remove = button(texts.remove, () => change(sku, -qty), "remove");
      li.append(name, less, count, more, amount, remove);
      list.append(li);
    }
    $("total").textContent = money(total);
    $("empty").hidden = cart.lines.size > 0;
    $("pay").disabled = cart.lines.size === 0;
  }

  function startOver() {
    cart = newCart();
    waiting = null;
    say("");
    scan.value = "";
    $("results").replaceChildren();
    $("attendant").hidden = true;
    $("idle").hidden = true;
    $("receipt").hidden = true;
    $("shop").hidden = false;
    window.PitStopPay.reset();
    window.PitStopCamera.close();
    render();
    scan.focus();
  }

  // --- scanning and searching -------------------------------------------------

  function search(text) {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    return products
      .filter((p) => words.every((w) => p.name.toLowerCase().includes(w)))
      .slice(0, 8);
  }

  function showResults(found) {
    $("results").replaceChildren(
      ...found.map((p) => {
        const li = document.createElement("li");
        const b = button("", () => {
          scan.value = "";
          add(p);
        });
        const name = document.createElement("span");
        name.textContent = p.name;
        const price = document.createElement("span");
        price.className = "amount";
        price.textContent = money(cents(p.price));
        b.append(name, price);
        li.append(b);
        return li;
      }),
    );
  }

  scan.addEventListener("keydown", async (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const code = scan.value.trim();
    scan.value = "";
    if (code) await lookUp(code);
  });

  // A scanned code (the wedge's, or the camera's in camera.js) or a name typed.
  async function lookUp(code) {
    await catalogue;
    const product = byCode.get(code) || byCode.get(code.toUpperCase());
    if (product) {
      add(product);
      return;
    }
    const found = /^\d+$/.test(code) ? [] : search(code);
    showResults(found);
    say(found.length ? "" : fill(/^\d+$/.test(code) ? texts.not_found : texts.no_match, code));
  }

  scan.addEventListener("input", () => {
    const text = scan.value.trim();
    // A scanner types digits fast: search only what looks like a name.
    if (text.length >= 2 && !/^\d+$/.test(text)) showResults(search(text));
  });

  // --- the attendant ----------------------------------------------------------

  function askAttendant(product) {
    waiting = product;
    $("attendant-item").textContent = product.name;
    $("pin").value = "";
    $("pin-error").hidden = true;
    $("attendant").hidden = false;
    $("pin").focus();
  }

  async function unlock() {
    const pin = $("pin").value;
    const answer = await post(config.attendant, { pin }).catch(() => null);
    if (!answer || answer.status !== 204) {
      // The server's words when it says why (too many wrong PINs: locked).
      const refused = answer ? await answer.json().catch(() => ({})) : {};
      $("pin-error").textContent = answer ? refused.message || texts.bad_pin : texts.offline;
      $("pin-error").hidden = false;
      $("pin").value = "";
      $("pin").focus();
      return;
    }
    cart.pin = pin;
    $("attendant").hidden = true;
    const product = waiting;
    waiting = null;
    if (product) add(product);
    else pay();
    scan.focus();
  }

  $("unlock").addEventListener("click", unlock);
  $("pin").addEventListener("keydown", (event) => {
    if (event.key === "Enter") unlock();
  });
  $("skip-item").addEventListener("click", () => {
    if (!waiting) {
      // The server asked for the attendant at payment: take that item out.
      const sku = $("attendant").dataset.sku;
      if (cart.lines.has(sku)) cart.lines.delete(sku);
      render();
    }
    waiting = null;
    $("attendant").hidden = true;
    scan.focus();
  });

  // --- paying -----------------------------------------------------------------

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

  async function pay(method) {
    if (method) cart.payment = method; // chosen in pay.js's payment step
    $("pay").disabled = true;
    // Each line carries the price the customer saw: the server refuses the
    // sale (price_changed) rather than charge another.
    const body = {
      lines: Array.from(cart.lines, ([sku, { product, qty }]) => ({
        sku,
        qty,
        price: product.price,
      })),
      idempotency_key: cart.key,
    };
    if (cart.payment) body.payment = cart.payment;
    if (cart.pin) body.attendant_pin = cart.pin;
    // --- offline (offline.js): without the server, the sale is queued ---------
    const outcome = await KioskOffline.sell(body, shown(), () => post(config.sales, body));
    if (outcome.queued) {
      const entry = outcome.queued;
      showReceipt({ ...entry.shown, id: KioskOffline.code(entry), created_at: entry.at, offline: true });
      return;
    }
    if (outcome.limit) {
      say(KioskOffline.texts.limit);
      render();
      return;
    }
    const answer = outcome.answer;
    // --- end offline ----------------------------------------------------------
    const data = await answer.json().catch(() => ({}));
    if (answer.ok) {
      showReceipt(data);
      return;
    }
    render();
    if (data.error === "attendant_required") {
      const line = cart.lines.get(data.sku);
      $("attendant").dataset.sku = data.sku;
      askAttendant(line ? line.product : { name: data.sku });
      waiting = null; // unlocking retries the payment
      return;
    }
    if (data.error === "price_changed") await repriced();
    say(data.message || texts.offline);
  }

  // The sale as the customer sees it, decimal strings: an offline receipt.
  function shown() {
    const decimal = (amount) => `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, "0")}`;
    const lines = Array.from(cart.lines.values(), ({ product, qty }) => ({
      name: product.name,
      qty,
      line_total: decimal(cents(product.price) * qty),
    }));
    const total = Array.from(cart.lines.values()).reduce((sum, { product, qty }) => sum + cents(product.price) * qty, 0);
    return { lines, total: decimal(total) };
  }

  // A price changed since the catalogue was read: read it again and show the
  // cart at today's prices.
  async function repriced() {
    await loadCatalogue().catch(() => {});
    for (const line of cart.lines.values()) {
      line.product = byCode.get(line.product.sku.toUpperCase()) || line.product;
    }
    render();
  }

  // "Finish and pay" opens the payment step (pay.js), which calls pay(method).
  $("pay").addEventListener("click", () => window.PitStopPay.choose());

  function showReceipt(sale) {
    $("receipt-number").textContent = sale.id;
    $("receipt-date").textContent = new Date(sale.created_at).toLocaleString(
      document.documentElement.lang,
    );
    $("receipt-lines").replaceChildren(
      ...sale.lines.map((line) => {
        const li = document.createElement("li");
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = `${line.qty} × ${line.name}`;
        const amount = document.createElement("span");
        amount.className = "amount";
        amount.textContent = money(cents(line.line_total));
        li.append(name, amount);
        return li;
      }),
    );
    $("receipt-total").textContent = money(cents(sale.total));
    $("receipt-offline").hidden = !sale.offline;
    $("shop").hidden = true;
    $("receipt").hidden = false;
    cart = newCart();
    $("new-purchase").focus();
    window.PitStopPay.receipt(sale);
  }

  $("new-purchase").addEventListener("click", startOver);
  $("start-over").addEventListener("click", startOver);

  // --- idle reset -------------------------------------------------------------

  let lastTouch = Date.now();
  for (const kind of ["keydown", "pointerdown"]) {
    document.addEventListener(kind, () => {
      lastTouch = Date.now();
    }, true);
  }
  $("still-here").addEventListener("click", () => {
    $("idle").hidden = true;
    scan.focus();
  });

  setInterval(() => {
    const busy = cart.lines.size > 0 || !$("receipt").hidden || waiting || window.PitStopCamera.isOpen();
    const idle = (Date.now() - lastTouch) / 1000;
    if (!busy || idle < config.idle) {
      $("idle").hidden = true;
      return;
    }
    const left = Math.ceil(config.idle + config.countdown - idle);
    if (left <= 0) {
      startOver();
      lastTouch = Date.now();
      return;
    }
    $("idle-countdown").textContent = fill(texts.countdown, left);
    $("idle").hidden = false;
  }, 1000);

  // What pay.js and camera.js need of the page (loaded after this file).
  window.PitStopKiosk = { config, texts, money, cents, post, pay, startOver, say, lookUp };

  render();
  // A scan made while the catalogue is still on its way waits for it, not
  // "not found": a customer may scan the moment the page shows.
  const catalogue = loadCatalogue().catch(() => say(texts.offline));
  // Prices change: read the catalogue again every few minutes (the service
  // worker keeps the last one for when the server is out of reach).
  setInterval(() => loadCatalogue().catch(() => {}), KioskOffline.catalogueRefresh * 1000);
})();
