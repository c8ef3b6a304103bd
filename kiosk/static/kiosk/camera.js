// Scanning with the device's camera. The browser's BarcodeDetector decodes
// where it knows these formats; elsewhere ZXing's JS decoder, vendored in
// vendor/ and loaded only the first time the camera opens:
//   @zxing/library 0.23.0, npm registry (registry.npmjs.org/@zxing/library,
//   its umd/index.min.js), Apache-2.0 (vendor/zxing-library-LICENSE.txt).
// A decoded code goes through the page's lookUp, as a wedge scanner's does.
"use strict";
(() => {
  const kiosk = window.PitStopKiosk;
  const texts = kiosk.texts;
  const $ = (id) => document.getElementById(id);
  const FORMATS = ["ean_13", "ean_8", "upc_a", "code_128"];
  const ZXING = document.currentScript.dataset.zxing;
  const EVERY_MS = 150; // a frame looked at this often

  let stream = null;
  let timer = null;
  let decoder = null; // (canvas) => Promise<code or null>, made once

  async function nativeDecoder() {
    if (!("BarcodeDetector" in window)) return null;
    const known = await BarcodeDetector.getSupportedFormats().catch(() => []);
    const formats = FORMATS.filter((f) => known.includes(f));
    if (!formats.length) return null;
    const detector = new BarcodeDetector({ formats });
    return async (canvas) => {
      const found = await detector.detect(canvas);
      return found.length ? found[0].rawValue : null;
    };
  }

  function loadZXing() {
    if (window.ZXing) return Promise.resolve(window.ZXing);
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = ZXING;
      script.onload = () => resolve(window.ZXing);
      script.onerror = reject;
      document.head.append(script);
    });
  }

  async function zxingDecoder() {
    const ZXing = await loadZXing();
    const hints = new Map();
    hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [
      ZXing.BarcodeFormat.EAN_13,
      ZXing.BarcodeFormat.EAN_8,
      ZXing.BarcodeFormat.UPC_A,
      ZXing.BarcodeFormat.CODE_128,
    ]);
    const reader = new ZXing.MultiFormatReader();
    reader.setHints(hints);
    return async (canvas) => {
      const source = new ZXing.HTMLCanvasElementLuminanceSource(canvas);
      try {
        return reader.decode(new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(source))).getText();
      } catch (error) {
        if (error instanceof ZXing.NotFoundException || error instanceof ZXing.ChecksumException
            || error instanceof ZXing.FormatException) return null;
        throw error;
      }
    };
  }

  // The code in a canvas (a camera frame), or null.
  async function decode(canvas) {
    if (!decoder) decoder = (await nativeDecoder()) || (await zxingDecoder());
    return decoder(canvas);
  }

  function shown(text) {
    const message = $("camera-message");
    message.textContent = text;
    message.hidden = !text;
  }

  async function open() {
    close();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      kiosk.say(texts.no_camera);
      return;
    }
    let camera;
    try {
      camera = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: "environment" },
      });
    } catch (error) {
      kiosk.say(error && error.name === "NotAllowedError" ? texts.camera_denied : texts.no_camera);
      return;
    }
    stream = camera;
    const video = $("camera-video");
    video.srcObject = stream;
    shown("");
    $("camera").hidden = false;
    await video.play().catch(() => {});
    look(video, document.createElement("canvas"));
  }

  function look(video, canvas) {
    timer = setTimeout(async () => {
      if (!stream) return;
      if (video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0);
        let code = null;
        try {
          code = await decode(canvas);
        } catch {
          shown(texts.no_camera); // the decoder did not load: the wedge still works
          return;
        }
        if (!stream) return; // closed while decoding
        if (code) {
          close();
          kiosk.lookUp(code);
          return;
        }
      }
      look(video, canvas);
    }, EVERY_MS);
  }

  // Turns the camera off (its light too) and hides its view.
  function close() {
    clearTimeout(timer);
    timer = null;
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    $("camera-video").srcObject = null;
    $("camera").hidden = true;
    $("scan").focus();
  }

  $("camera-open").addEventListener("click", open);
  $("camera-cancel").addEventListener("click", close);

  window.PitStopCamera = { open, close, decode, isOpen: () => stream !== null };
})();
