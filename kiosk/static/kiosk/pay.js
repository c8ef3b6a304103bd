// The payment at the self-checkout. After the cart the customer chooses how to
// pay; kiosk.js sells with that method and shows the receipt, which stays
// "pending" until the payment is confirmed: by the payment service's webhook
// (Pix) or by the attendant's PIN here. The receipt asks the kiosk API
// (GET /api/sales/<id>/) every few seconds until the sale is paid.
"use strict";
(() => {
  const kiosk = window.PitStopKiosk;
  const { config, texts } = kiosk;
  const $ = (id) => document.getElementById(id);
  const url = (template, id) => template.replace("/0/", `/${id}/`);

  let sale = null; // the receipt's sale: {id, payment, payment_status, total}
  let timer = null;

  // --- choosing -------------------------------------------------------------

  function choose() {
    $("payment-total").textContent = $("total").textContent;
    $("shop").hidden = true;
    $("payment-step").hidden = false;
    document.querySelector("#payment-step .method").focus();
  }

  function back() {
    $("payment-step").hidden = true;
    $("shop").hidden = false;
    $("scan").focus();
  }

  for (const method of document.querySelectorAll("#payment-step [data-payment]")) {
    method.addEventListener("click", () => {
      // The cart shows again while the sale is made: a refusal (stock, the
      // attendant) is said there.
      back();
      kiosk.pay(method.dataset.payment);
    });
  }
  $("payment-back").addEventListener("click", back);

  // --- the receipt's payment ------------------------------------------------

  function receipt(sold) {
    sale = sold;
    $("receipt-link").hidden = true;
    showStatus();
    // A sale queued offline (offline.js) is not on the server yet: its receipt
    // says to pay the attendant, who confirms it once it is synced (admin).
    if (sale.offline) return;
    fetch(url(config.sale_receipt, sale.id), { credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
      .then((link) => {
        if (!sale || sale.id !== sold.id) return;
        $("receipt-url").href = link.url;
        $("receipt-qr").src = link.qr;
        $("receipt-link").hidden = false;
      })
      .catch(() => {}); // the QR is a convenience: the screen is the receipt
    if (sale.payment_status === "pending") poll();
  }

  function showStatus() {
    const paid = sale.payment_status === "paid";
    const status = $("payment-status");
    status.textContent = paid ? texts.paid : texts.pending;
    status.className = `status ${paid ? "paid" : "pending"}`;
    const waiting = !paid && !sale.offline;
    $("call-attendant").hidden = !waiting;
    $("pay-pix").hidden = !waiting || sale.payment !== "pix" || !sale.pix;
    $("pay-terminal").hidden = !waiting || sale.payment === "pix";
    $("terminal-note").textContent = sale.payment === "cash" ? texts.cash : texts.terminal;
    if (sale.pix) {
      $("pix-qr").src = sale.pix.qr;
      $("pix-code").textContent = sale.pix.code;
    }
    if (paid) $("new-purchase").focus();
  }

  async function poll() {
    clearTimeout(timer);
    const id = sale.id;
    try {
      const answer = await fetch(url(config.sale, id), { credentials: "same-origin" });
      if (answer.ok && sale && sale.id === id) {
        sale = await answer.json();
        showStatus();
      }
    } catch {
      // The server is out of reach for now: ask again.
    }
    // Until paid, and while this receipt is still on screen.
    if (sale && sale.id === id && sale.payment_status === "pending") {
      timer = setTimeout(poll, config.poll_ms);
    }
  }

  function reset() {
    clearTimeout(timer);
    sale = null;
    $("payment-step").hidden = true;
    $("confirm").hidden = true;
    $("pay-pix").hidden = true;
    $("pay-terminal").hidden = true;
    $("call-attendant").hidden = true;
    $("receipt-link").hidden = true;
  }

  // --- the attendant confirms -----------------------------------------------

  $("call-attendant").addEventListener("click", () => {
    $("confirm-pin").value = "";
    $("confirm-error").hidden = true;
    $("confirm").hidden = false;
    $("confirm-pin").focus();
  });

  async function confirm() {
    const answer = await kiosk
      .post(url(config.sale_paid, sale.id), { pin: $("confirm-pin").value })
      .catch(() => null);
    const data = answer ? await answer.json().catch(() => ({})) : {};
    if (!answer || !answer.ok) {
      $("confirm-error").textContent = answer
        ? data.message || texts.bad_pin
        : texts.offline;
      $("confirm-error").hidden = false;
      $("confirm-pin").value = "";
      $("confirm-pin").focus();
      return;
    }
    $("confirm").hidden = true;
    sale = { ...sale, payment_status: data.payment_status };
    clearTimeout(timer);
    showStatus();
  }

  $("confirm-ok").addEventListener("click", confirm);
  $("confirm-pin").addEventListener("keydown", (event) => {
    if (event.key === "Enter") confirm();
  });
  $("confirm-cancel").addEventListener("click", () => {
    $("confirm").hidden = true;
    $("new-purchase").focus();
  });

  window.PitStopPay = { choose, receipt, reset };
})();
