// Money on the kiosk page, for kiosk.js and offline.js alike: counted in
// cents, written as the server's money helper writes it (config.money).
"use strict";
window.KioskMoney = (() => {
  const format = JSON.parse(document.getElementById("kiosk-config").textContent).money;

  // "12.50" (the API's decimal string) -> 1250
  function cents(decimal) {
    const [whole, fraction = ""] = decimal.split(".");
    return Number(whole) * 100 + Number((fraction + "00").slice(0, 2));
  }

  function money(amount) {
    const sign = amount < 0 ? "-" : "";
    const abs = Math.abs(amount);
    const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, format.thousands);
    return `${sign}${format.symbol} ${whole}${format.point}${String(abs % 100).padStart(2, "0")}`;
  }

  return { cents, money };
})();
