// The staff console's few helpers; every page works without them.
'use strict';

// A list marked `data-refresh="N"` fetches its page again every N seconds and shows the new
// rows and counts, unless the organizer is typing in it or the tab is hidden. A failed fetch
// (a weak signal) keeps what is shown and tries again at the next turn.
(function refreshing() {
  const box = document.querySelector('[data-refresh]');
  if (!box) return;
  const every = Number(box.dataset.refresh) * 1000;
  const busy = () => box.contains(document.activeElement) ||
    [...box.querySelectorAll('input:not([type=hidden]):not([type=checkbox])')].some(i => i.value !== '' && i.name !== 'q');
  setInterval(async () => {
    if (document.hidden || busy()) return;
    try {
      const r = await fetch(location.href, {credentials: 'same-origin'});
      if (!r.ok) return;
      const fresh = new DOMParser().parseFromString(await r.text(), 'text/html');
      for (const id of ['attendance-counts', 'attendance-list']) {
        const now = fresh.getElementById(id), old = document.getElementById(id);
        if (now && old && !busy()) old.replaceWith(now);
      }
    } catch (e) { /* offline for a moment: try again next time */ }
  }, every);
})();

// A button `data-locate` fills the fields `#fence_lat` and `#fence_lon` with the phone's position.
(function locating() {
  const button = document.querySelector('[data-locate]');
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.onclick = () => navigator.geolocation.getCurrentPosition(p => {
    document.getElementById('fence_lat').value = p.coords.latitude.toFixed(6);
    document.getElementById('fence_lon').value = p.coords.longitude.toFixed(6);
    const radius = document.getElementById('fence_radius');
    if (!radius.value) radius.value = '200';
  });
})();

// The panel `[data-code-scanner]` reads volunteers' personal codes with the camera, where the
// browser can detect QR codes: each code seen is posted to the API the attribute names, and the
// answer shows in the panel. A code is taken once; the next is taken only after the camera has
// seen no code, so a code held up for long never checks its volunteer out by itself. Typing the
// code into the panel's form works in every browser.
(function scanningCodes() {
  const panel = document.querySelector('[data-code-scanner]');
  if (!panel || !('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  const button = document.getElementById('code-camera-button');
  const video = document.getElementById('code-camera');
  const result = document.getElementById('code-scan-result');
  const text = key => panel.getAttribute('data-t-' + key) || '';
  const say = (message, good) => {
    result.textContent = '';
    const span = document.createElement('span');
    span.className = good ? 'ok' : 'bad';
    span.textContent = message;
    result.appendChild(span);
  };
  let stream = null;
  let ready = true;

  async function post(code) {
    try {
      const r = await fetch(panel.dataset.codeScanner, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({code}),
      });
      const body = await r.json();
      if (r.ok) {
        const done = body.changed ? text(body.state) : text('repeat');
        say(done + '：' + body.name + '（' + body.volunteer_no + '）', true);
      } else {
        say(text(body.error) || body.message, false);
      }
    } catch (e) {
      say(text('network'), false);
    }
  }

  async function look(detector) {
    if (!stream) return;
    try {
      const codes = await detector.detect(video);
      if (!codes.length) {
        ready = true;
      } else if (ready) {
        ready = false;
        await post(codes[0].rawValue);
      }
    } catch (e) { /* a frame not ready yet: look again */ }
    setTimeout(() => look(detector), 200);
  }

  button.hidden = false;
  button.onclick = async () => {
    if (stream) {
      stream.getTracks().forEach(t => t.stop());
      stream = null;
      video.hidden = true;
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}});
    } catch (e) {
      say(text('code_scan_no_camera'), false);
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    look(new BarcodeDetector({formats: ['qr_code']}));
  };
})();
